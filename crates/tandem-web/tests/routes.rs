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
    /// Each role's answer, as the function gives it.
    Each(fn(Role) -> Expect),
    /// Those who may open cases (case, team and service managers) get the first answer, every
    /// other role the second.
    Openers(Expect, Expect),
    /// A route that changes the seeded case: those who may record on it (its case manager,
    /// team managers, the head of service) get `record`; the QA auditor, who may only read it,
    /// gets `auditor`; everyone else is told it does not exist (404).
    Recorders { record: Expect, auditor: Expect },
}

struct Route {
    method: &'static str,
    /// `{target}` stands for the id of an account no row signs in as; `{css}` for the URL of
    /// the embedded stylesheet; `{case}` for the reference of the seeded case and `{event}`
    /// for the id of its request event.
    path: &'static str,
    form: &'static [(&'static str, &'static str)],
    signed_out: Expect,
    roles: Roles,
}

const ADMIN_ONLY_PAGE: Roles = Roles::Admin(Status(200), Status(403));
const RECORDER_PAGE: Roles = Roles::Recorders {
    record: Status(200),
    auditor: Status(403),
};
const RECORDER_FORM: Roles = Roles::Recorders {
    record: Status(422),
    auditor: Status(403),
};

/// Roles that list cases: case managers (their caseload), managers and auditors.
fn lists_cases(role: Role) -> bool {
    matches!(
        role,
        Role::CaseManager | Role::TeamManager | Role::HeadOfService | Role::QaAuditor
    )
}

fn case_list_page(role: Role) -> Expect {
    if lists_cases(role) {
        Status(200)
    } else {
        Status(403)
    }
}

fn team_page(role: Role) -> Expect {
    match role {
        Role::TeamManager | Role::HeadOfService => Status(200),
        _ => Status(403),
    }
}

/// The seeded case `MATRIX-1` is the case manager's: those who list cases may read it; nobody
/// else may know it exists.
fn seeded_case_page(role: Role) -> Expect {
    if lists_cases(role) {
        Status(200)
    } else {
        Status(404)
    }
}

/// Reassigning with an out-of-date version: managers are shown the form again (409); those who
/// may read the case but not reassign it are refused; others are told it does not exist.
fn stale_reassign(role: Role) -> Expect {
    match role {
        Role::TeamManager | Role::HeadOfService => Status(409),
        Role::CaseManager | Role::QaAuditor => Status(403),
        _ => Status(404),
    }
}

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    Route { method: "GET", path: "/", form: &[], signed_out: Redirect("/sign-in"), roles: Roles::All(Home) },
    Route { method: "GET", path: "/sign-in", form: &[], signed_out: Status(200), roles: Roles::All(Home) },
    // Blank fields: signed-in browsers hold a valid token, so they reach the form's validation;
    // so does a signed-out request with neither Origin nor Sec-Fetch-Site, which is a program
    // signing in (contracts/cli.md) and needs no token.
    Route { method: "POST", path: "/sign-in", form: &[("email", ""), ("password", "")], signed_out: Status(422), roles: Roles::All(Status(422)) },
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
    Route { method: "POST", path: "/admin/users/{target}/sign-out-everywhere", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=signed_out"), Status(403)) },
    Route { method: "GET", path: "/cases", form: &[], signed_out: SignIn, roles: Roles::Each(case_list_page) },
    Route { method: "GET", path: "/cases?status=overdue&sort=name&page=2", form: &[], signed_out: SignIn, roles: Roles::Each(case_list_page) },
    Route { method: "GET", path: "/cases/MATRIX-1", form: &[], signed_out: SignIn, roles: Roles::Each(seeded_case_page) },
    Route { method: "GET", path: "/cases/NO-SUCH-CASE", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/cases/MATRIX-1/assign", form: &[("case_manager", ""), ("version", "0")], signed_out: Status(403), roles: Roles::Each(stale_reassign) },
    Route { method: "GET", path: "/team", form: &[], signed_out: SignIn, roles: Roles::Each(team_page) },
    Route { method: "GET", path: "/backlog", form: &[], signed_out: SignIn, roles: Roles::Each(case_list_page) },
    // The forms that change a case. Blank answers: allowed roles reach the form's validation
    // (422) and nothing is saved, so every row sees the same case.
    Route { method: "GET", path: "/cases/new", form: &[], signed_out: SignIn, roles: Roles::Openers(Status(200), Status(403)) },
    Route { method: "POST", path: "/cases/new", form: &[("given_name", ""), ("reference", "")], signed_out: Status(403), roles: Roles::Openers(Status(422), Status(403)) },
    Route { method: "GET", path: "/cases/{case}/events/new", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/events/new?type=draft_plan_issued", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/events/new?type=exception", form: &[], signed_out: SignIn, roles: Roles::Recorders { record: Redirect("/cases/{case}/exceptions/new"), auditor: Status(403) } },
    Route { method: "GET", path: "/cases/NO-SUCH-CASE/events/new", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/cases/{case}/events/new", form: &[("type", "draft_plan_issued"), ("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/{case}/events/{event}/correct", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/events/999999/correct", form: &[], signed_out: SignIn, roles: Roles::Recorders { record: Status(404), auditor: Status(403) } },
    Route { method: "POST", path: "/cases/{case}/events/{event}/correct", form: &[("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/{case}/events/{event}/withdraw", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "POST", path: "/cases/{case}/events/{event}/withdraw", form: &[("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/{case}/exceptions/new", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "POST", path: "/cases/{case}/exceptions/new", form: &[("action", "check"), ("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
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
    app.open_case(
        "MATRIX-1",
        ("Matrix", "Child"),
        app.today(),
        Some(Role::CaseManager),
    )
    .await;
    let target = app.target.to_string();
    let case = app.seed_case("EHC-MATRIX-1").await;
    let stored = app.store().case(&case).await.unwrap().expect("seeded");
    let event = stored.history[0].id.to_string();
    let fill = |text: &str| {
        text.replace("{target}", &target)
            .replace("{css}", &css)
            .replace("{case}", case.as_str())
            .replace("{event}", &event)
    };

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
                (Some(role), Roles::Each(answer)) => answer(role),
                (Some(r), Roles::Openers(open, others)) => {
                    if matches!(
                        r,
                        Role::CaseManager | Role::TeamManager | Role::HeadOfService
                    ) {
                        open
                    } else {
                        others
                    }
                }
                (Some(r), Roles::Recorders { record, auditor }) => match r {
                    Role::CaseManager | Role::TeamManager | Role::HeadOfService => record,
                    Role::QaAuditor => auditor,
                    _ => Status(404),
                },
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
