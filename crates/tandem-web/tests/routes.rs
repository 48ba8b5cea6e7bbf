//! The role × route matrix: every route, requested by each role and by a signed-out browser,
//! with the answer each must get. A new route is one more row in `ROUTES`.

mod support;

use axum::http::StatusCode;
use support::TestApp;
use tandem_core::Role;

/// What a request must get back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Status(u16),
    /// A redirect (303) to this address.
    Redirect(&'static str),
    /// A redirect to the role's home page.
    Home,
    /// Sent to sign in, to come back to the path requested.
    SignIn,
}

use Expect::{Home, Redirect, SignIn, Status};

/// Who may use a route, as the matrix spells it out.
#[derive(Debug, Clone, Copy)]
enum Roles {
    /// Every signed-in role gets the same answer.
    All(Expect),
    /// Administrators get the first answer, every other role the second.
    Admin(Expect, Expect),
    /// These roles get the first answer, every other role the second.
    Only(&'static [Role], Expect, Expect),
}

struct Route {
    method: &'static str,
    /// `{target}` stands for the id of an account no row signs in as; `{css}` for the URL of
    /// the embedded stylesheet.
    path: &'static str,
    form: &'static [(&'static str, &'static str)],
    signed_out: Expect,
    roles: Roles,
}

const ADMIN_ONLY_PAGE: Roles = Roles::Admin(Status(200), Status(403));

/// The roles that see aggregate figures (the dashboard, the plan, the board report).
const AGGREGATES: &[Role] = &[
    Role::TeamManager,
    Role::HeadOfService,
    Role::QaAuditor,
    Role::Analyst,
];
const AGGREGATES_PAGE: Roles = Roles::Only(AGGREGATES, Status(200), Status(403));

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    Route { method: "GET", path: "/", form: &[], signed_out: Redirect("/sign-in"), roles: Roles::All(Home) },
    Route { method: "GET", path: "/sign-in", form: &[], signed_out: Status(200), roles: Roles::All(Home) },
    // Blank fields: signed-in browsers hold a valid token, so they reach the form's validation;
    // a signed-out browser without the sign-in cookie has no token at all.
    Route { method: "POST", path: "/sign-in", form: &[("email", ""), ("password", "")], signed_out: Status(403), roles: Roles::All(Status(422)) },
    Route { method: "POST", path: "/sign-out", form: &[], signed_out: Status(403), roles: Roles::All(Redirect("/sign-in")) },
    Route { method: "GET", path: "/health", form: &[], signed_out: Status(200), roles: Roles::All(Status(200)) },
    Route { method: "GET", path: "{css}", form: &[], signed_out: Status(200), roles: Roles::All(Status(200)) },
    Route { method: "GET", path: "/assets/missing.css", form: &[], signed_out: Status(404), roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/no-such-page", form: &[], signed_out: Status(404), roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/admin/users", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "GET", path: "/admin/users/new", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "POST", path: "/admin/users/new", form: &[("name", "Matrix"), ("email", ""), ("role", "parent"), ("team", ""), ("password", "")], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "GET", path: "/admin/users/{target}", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "GET", path: "/admin/users/999999", form: &[], signed_out: SignIn, roles: Roles::Admin(Status(404), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/role", form: &[("role", "parent"), ("team", "")], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=role"), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/disable", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=disabled"), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/enable", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=enabled"), Status(403)) },
    Route { method: "GET", path: "/dashboard", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/dashboard?period=range&start=2026-02-01&end=2026-01-31", form: &[], signed_out: SignIn, roles: Roles::Only(AGGREGATES, Status(422), Status(403)) },
    Route { method: "GET", path: "/dashboard/cases?period=month&month=2026-01&as_at=2026-02-15&figure=%7B%22figure%22%3A%22backlog%22%2C%22bucket%22%3A0%7D", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/dashboard/cases?figure=%7B%22figure%22%3A%22backlog%22%2C%22bucket%22%3A99%7D", form: &[], signed_out: SignIn, roles: Roles::Only(AGGREGATES, Status(404), Status(403)) },
    Route { method: "GET", path: "/dashboard/tables/backlog.csv", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/dashboard/tables/nothing.csv", form: &[], signed_out: SignIn, roles: Roles::Only(AGGREGATES, Status(404), Status(403)) },
    Route { method: "GET", path: "/plan", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/report?period=month&month=2026-01", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "POST", path: "/admin/users/{target}/sign-out-everywhere", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=signed_out"), Status(403)) },
];

fn home(role: Role) -> &'static str {
    match role {
        Role::Admin => "/admin/users",
        Role::Analyst => "/dashboard",
        _ => "/cases",
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = TestApp::new().await;
    let css = app
        .asset_urls()
        .await
        .into_iter()
        .find(|u| u.ends_with(".css"))
        .expect("a stylesheet");
    let target = app.target.to_string();
    let fill = |text: &str| text.replace("{target}", &target).replace("{css}", &css);

    let mut failures = Vec::new();
    for route in ROUTES {
        let path = fill(route.path);
        let who = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some));
        for role in who {
            let expected = match (role, route.roles) {
                (None, _) => route.signed_out,
                (Some(_), Roles::All(e)) => e,
                (Some(Role::Admin), Roles::Admin(admin, _)) => admin,
                (Some(_), Roles::Admin(_, others)) => others,
                (Some(role), Roles::Only(roles, these, others)) => {
                    if roles.contains(&role) {
                        these
                    } else {
                        others
                    }
                }
            };
            // A fresh session per request: some routes end sessions.
            let session = match role {
                Some(role) => Some(app.session(role).await),
                None => None,
            };
            let response = match route.method {
                "GET" => app.get(&path, session.as_ref()).await,
                "POST" => app.post_form(&path, session.as_ref(), route.form).await,
                other => panic!("no such method in the matrix: {other}"),
            };
            let (status, location) = match expected {
                Status(code) => (code, None),
                Redirect(to) => (303, Some(fill(to))),
                Home => (
                    303,
                    Some(home(role.expect("home is for signed-in roles")).to_owned()),
                ),
                SignIn => {
                    let next =
                        serde_urlencoded::to_string([("next", path.as_str())]).expect("encode");
                    (303, Some(format!("/sign-in?{next}")))
                }
            };
            let got = (response.status, response.location().map(str::to_owned));
            let want = (StatusCode::from_u16(status).expect("status"), location);
            if got != want {
                let who = role.map_or("signed out", |r| r.as_str());
                failures.push(format!(
                    "{} {path} as {who}: got {got:?}, expected {want:?}",
                    route.method
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
