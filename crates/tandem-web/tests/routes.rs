//! The role × route matrix: every route, requested by each role and by a signed-out browser,
//! with the answer each must get. A new route is one more row in `ROUTES`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod support;

use axum::http::StatusCode;
use support::TestApp;
use tandem_app::services::Upload;
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
    /// A route that changes the seeded case: those who may record on it (its case manager,
    /// team managers, the head of service) get `record`; the QA auditor, who may only read it,
    /// gets `auditor`; everyone else is told it does not exist (404).
    Recorders { record: Expect, auditor: Expect },
    /// These roles get the first answer, every other role the second.
    Only(&'static [Role], Expect, Expect),
}

struct Route {
    method: &'static str,
    /// `{target}` stands for the id of an account no row signs in as; `{staff}` for the case
    /// manager's account; `{css}` for the URL of
    /// the embedded stylesheet; `{case}` for the reference of the seeded case, `{event}`
    /// for the id of its request event and `{document}` for the id of a document on it.
    /// `UPLOAD` posts the form as `multipart/form-data`, as the document upload does.
    path: &'static str,
    form: &'static [(&'static str, &'static str)],
    signed_out: Expect,
    roles: Roles,
}

/// Those who may invite people by email (a case manager only parents to their own cases).
const INVITERS: &[Role] = &[Role::Admin, Role::CaseManager];
/// Those who may open cases.
const OPENERS: &[Role] = &[Role::CaseManager, Role::TeamManager, Role::HeadOfService];
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

/// Everyone but analysts and administrators has a case list: staff see the service's cases,
/// professionals, settings and families only the cases linked to them.
fn case_list_page(role: Role) -> Expect {
    match role {
        Role::Analyst | Role::Admin => Status(403),
        _ => Status(200),
    }
}

/// The backlog is the service's own list: staff who list cases only.
fn backlog_page(role: Role) -> Expect {
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

/// The roles that see aggregate figures (the dashboard, the plan, the board report).
const AGGREGATES: &[Role] = &[
    Role::TeamManager,
    Role::HeadOfService,
    Role::QaAuditor,
    Role::Analyst,
];
const AGGREGATES_PAGE: Roles = Roles::Only(AGGREGATES, Status(200), Status(403));
/// Those who run the plan audit cycle (draw samples, assign auditors, settle grades).
const AUDIT_MANAGERS: &[Role] = &[Role::TeamManager, Role::HeadOfService];
/// Those who may update the improvement plan's actions.
const PLAN_EDITORS: &[Role] = &[Role::TeamManager, Role::HeadOfService];
/// The council's own staff, who each have workforce records (people outside it have none).
const STAFF: &[Role] = &[
    Role::CaseManager,
    Role::TeamManager,
    Role::HeadOfService,
    Role::QaAuditor,
    Role::Analyst,
    Role::Admin,
];
/// Those who oversee the matrix's case manager (in team north): the team manager, who leads no
/// named team, and the head of service; they supervise and keep training records.
const SUPERVISORS: &[Role] = &[Role::TeamManager, Role::HeadOfService];
/// Those who run it or audit in it.
const AUDIT_PEOPLE: &[Role] = &[Role::TeamManager, Role::HeadOfService, Role::QaAuditor];
/// Those who add surveys of families and partners and send them in a batch.
const SURVEY_MANAGERS: &[Role] = &[Role::TeamManager, Role::HeadOfService];
/// Those who may read the pseudonymised example plans.
const EXAMPLE_READERS: &[Role] = &[
    Role::CaseManager,
    Role::TeamManager,
    Role::HeadOfService,
    Role::QaAuditor,
];

/// Those who run decision panels.
const PANEL_MANAGERS: &[Role] = &[Role::TeamManager, Role::HeadOfService];
/// Those who may sit on a panel and read its papers (members only, checked by the service).
const PANEL_SITTERS: &[Role] = &[
    Role::TeamManager,
    Role::HeadOfService,
    Role::CaseManager,
    Role::QaAuditor,
];
/// The panels page: those who run panels, sit on them, or see the panels' figures.
const PANEL_READERS: &[Role] = &[
    Role::TeamManager,
    Role::HeadOfService,
    Role::CaseManager,
    Role::QaAuditor,
    Role::Analyst,
];

#[rustfmt::skip]
const ROUTES: &[Route] = &[
    Route { method: "GET", path: "/", form: &[], signed_out: Redirect("/sign-in"), roles: Roles::All(Home) },
    Route { method: "GET", path: "/sign-in", form: &[], signed_out: Status(200), roles: Roles::All(Home) },
    // Blank fields: signed-in browsers hold a valid token, so they reach the form's validation;
    // so does a signed-out request with neither Origin nor Sec-Fetch-Site, which is a program
    // signing in (contracts/cli.md) and needs no token.
    Route { method: "POST", path: "/sign-in", form: &[("email", ""), ("password", "")], signed_out: Status(422), roles: Roles::All(Status(422)) },
    // Single sign-on is not configured in the matrix's application: its routes are not found
    // (posting the start still needs a sign-in cookie's token first).
    Route { method: "POST", path: "/sign-in/oidc", form: &[], signed_out: Status(403), roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/sign-in/oidc/callback?code=matrix&state=matrix", form: &[], signed_out: Status(404), roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/sign-out", form: &[], signed_out: Status(403), roles: Roles::All(Redirect("/sign-in")) },
    Route { method: "GET", path: "/health", form: &[], signed_out: Status(200), roles: Roles::All(Status(200)) },
    Route { method: "GET", path: "/accessibility", form: &[], signed_out: Status(200), roles: Roles::All(Status(200)) },
    Route { method: "GET", path: "{css}", form: &[], signed_out: Status(200), roles: Roles::All(Status(200)) },
    Route { method: "GET", path: "/assets/missing.css", form: &[], signed_out: Status(404), roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/no-such-page", form: &[], signed_out: Status(404), roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/admin/users", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "GET", path: "/admin/notifications", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "GET", path: "/admin/users/new", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    // The list of advice providers: administrators only; provider 999999 does not exist.
    Route { method: "GET", path: "/admin/teams", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "POST", path: "/admin/teams", form: &[("name", "")], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "POST", path: "/admin/teams/remove", form: &[("name", "no such team")], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "GET", path: "/admin/providers", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "POST", path: "/admin/providers", form: &[("name", "")], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "GET", path: "/admin/providers/999999", form: &[], signed_out: SignIn, roles: Roles::Admin(Status(404), Status(403)) },
    Route { method: "POST", path: "/admin/providers/999999/rename", form: &[("name", "Matrix")], signed_out: Status(403), roles: Roles::Admin(Status(404), Status(403)) },
    Route { method: "POST", path: "/admin/providers/999999/retire", form: &[], signed_out: Status(403), roles: Roles::Admin(Status(404), Status(403)) },
    Route { method: "POST", path: "/admin/providers/999999/reinstate", form: &[], signed_out: Status(403), roles: Roles::Admin(Status(404), Status(403)) },
    // Decision panels: none exists in the matrix's database, so panel and meeting 999999 do not
    // exist; blank forms reach validation before the panel is looked up.
    Route { method: "GET", path: "/panels", form: &[], signed_out: SignIn, roles: Roles::Only(PANEL_READERS, Status(200), Status(403)) },
    Route { method: "POST", path: "/panels", form: &[("name", ""), ("decides", ""), ("terms_of_reference", "")], signed_out: Status(403), roles: Roles::Only(PANEL_MANAGERS, Status(422), Status(403)) },
    Route { method: "GET", path: "/panels/999999", form: &[], signed_out: SignIn, roles: Roles::Only(PANEL_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/panels/999999/members", form: &[("member", ""), ("sees_identity", "")], signed_out: Status(403), roles: Roles::Only(PANEL_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/panels/999999/members/{target}/remove", form: &[], signed_out: Status(403), roles: Roles::Only(PANEL_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/panels/999999/meetings", form: &[("meets_on-day", ""), ("meets_on-month", ""), ("meets_on-year", "")], signed_out: Status(403), roles: Roles::Only(PANEL_MANAGERS, Status(404), Status(403)) },
    Route { method: "GET", path: "/panels/meetings/999999", form: &[], signed_out: SignIn, roles: Roles::Only(PANEL_SITTERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/panels/meetings/999999/minutes", form: &[("minutes", "")], signed_out: Status(403), roles: Roles::Only(PANEL_MANAGERS, Status(404), Status(403)) },
    Route { method: "GET", path: "/panels/meetings/999999/cases/MATRIX-1", form: &[], signed_out: SignIn, roles: Roles::Only(PANEL_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/panels/meetings/999999/cases/MATRIX-1", form: &[("version", "1"), ("outcome", ""), ("reason", "")], signed_out: Status(403), roles: Roles::Only(PANEL_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/admin/users/new", form: &[("name", "Matrix"), ("email", ""), ("role", "parent"), ("team", ""), ("password", "")], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "GET", path: "/invitations/new", form: &[], signed_out: SignIn, roles: Roles::Only(INVITERS, Status(200), Status(403)) },
    Route { method: "POST", path: "/invitations/new", form: &[("name", "Matrix"), ("email", ""), ("role", "parent"), ("case", "")], signed_out: Status(403), roles: Roles::Only(INVITERS, Status(422), Status(403)) },
    // An unknown link is refused alike for everyone; posting it needs a sign-in cookie's token.
    Route { method: "GET", path: "/invitations/no-such-token", form: &[], signed_out: Status(410), roles: Roles::All(Status(410)) },
    Route { method: "POST", path: "/invitations/no-such-token", form: &[("password", "a long enough password")], signed_out: Status(403), roles: Roles::All(Status(410)) },
    Route { method: "GET", path: "/password-reset", form: &[], signed_out: Status(200), roles: Roles::All(Status(200)) },
    Route { method: "POST", path: "/password-reset", form: &[("email", "")], signed_out: Status(403), roles: Roles::All(Status(422)) },
    Route { method: "GET", path: "/password-reset/no-such-token", form: &[], signed_out: Status(410), roles: Roles::All(Status(410)) },
    Route { method: "POST", path: "/password-reset/no-such-token", form: &[("password", "a long enough password")], signed_out: Status(403), roles: Roles::All(Status(410)) },
    Route { method: "GET", path: "/admin/users/{target}", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "GET", path: "/admin/users/999999", form: &[], signed_out: SignIn, roles: Roles::Admin(Status(404), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/role", form: &[("role", "parent"), ("team", "")], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=role"), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/disable", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=disabled"), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/enable", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=enabled"), Status(403)) },
    Route { method: "GET", path: "/dashboard", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/data-quality", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/dashboard?period=range&start=2026-02-01&end=2026-01-31", form: &[], signed_out: SignIn, roles: Roles::Only(AGGREGATES, Status(422), Status(403)) },
    Route { method: "GET", path: "/dashboard/cases?period=month&month=2026-01&as_at=2026-02-15&figure=%7B%22figure%22%3A%22backlog%22%2C%22bucket%22%3A0%7D", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/dashboard/cases?figure=%7B%22figure%22%3A%22backlog%22%2C%22bucket%22%3A99%7D", form: &[], signed_out: SignIn, roles: Roles::Only(AGGREGATES, Status(404), Status(403)) },
    Route { method: "GET", path: "/dashboard/tables/backlog.csv", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/dashboard/tables/nothing.csv", form: &[], signed_out: SignIn, roles: Roles::Only(AGGREGATES, Status(404), Status(403)) },
    Route { method: "GET", path: "/dashboard/tables/all.xlsx", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/plan", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    // Improvement plan actions: none is kept in the matrix's database, so those who may see the
    // plan are told action 999999 does not exist; a form for it is refused to those who may
    // not edit the plan, before anything is looked up.
    Route { method: "GET", path: "/plan/actions/new", form: &[], signed_out: SignIn, roles: Roles::Only(PLAN_EDITORS, Status(200), Status(403)) },
    Route { method: "POST", path: "/plan/actions/new", form: &[], signed_out: Status(403), roles: Roles::Only(PLAN_EDITORS, Status(422), Status(403)) },
    Route { method: "GET", path: "/plan/actions/999999", form: &[], signed_out: SignIn, roles: Roles::Only(AGGREGATES, Status(404), Status(403)) },
    Route { method: "GET", path: "/plan/actions/not-a-number", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/plan/actions/999999", form: &[("version", "1"), ("text", "Matrix"), ("owner", "Matrix"), ("due-day", "1"), ("due-month", "1"), ("due-year", "2027"), ("status", "done")], signed_out: Status(403), roles: Roles::Only(PLAN_EDITORS, Status(404), Status(403)) },
    Route { method: "GET", path: "/report?period=month&month=2026-01", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    // Surveys: results for those who see aggregate figures; adding and sending for managers.
    // Survey 999999 does not exist; a survey link is answered without signing in, so an
    // unknown one is refused alike for everyone (posting needs a sign-in cookie's token).
    Route { method: "GET", path: "/surveys", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/surveys/new", form: &[], signed_out: SignIn, roles: Roles::Only(SURVEY_MANAGERS, Status(200), Status(403)) },
    Route { method: "POST", path: "/surveys/new", form: &[("title", ""), ("scale_questions", "")], signed_out: Status(403), roles: Roles::Only(SURVEY_MANAGERS, Status(422), Status(403)) },
    Route { method: "POST", path: "/surveys/999999/send", form: &[("since-day", "1"), ("since-month", "1"), ("since-year", "2026")], signed_out: Status(403), roles: Roles::Only(SURVEY_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/surveys/999999/send", form: &[("since-day", "")], signed_out: Status(403), roles: Roles::Only(SURVEY_MANAGERS, Status(422), Status(403)) },
    Route { method: "GET", path: "/surveys/999999/you-said-we-did", form: &[], signed_out: SignIn, roles: Roles::Only(SURVEY_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/surveys/999999/you-said-we-did", form: &[("you_said", ""), ("we_did", "")], signed_out: Status(403), roles: Roles::Only(SURVEY_MANAGERS, Status(404), Status(403)) },
    Route { method: "GET", path: "/feedback/no-such-token", form: &[], signed_out: Status(410), roles: Roles::All(Status(410)) },
    Route { method: "POST", path: "/feedback/no-such-token", form: &[("q1", "4")], signed_out: Status(403), roles: Roles::All(Status(410)) },
    // Plan audits: no round or sampled plan 999999 exists, and blank forms reach validation.
    Route { method: "GET", path: "/audits", form: &[], signed_out: SignIn, roles: Roles::Only(AUDIT_PEOPLE, Status(200), Status(403)) },
    Route { method: "POST", path: "/audits", form: &[("term", ""), ("method", ""), ("size", "")], signed_out: Status(403), roles: Roles::Only(AUDIT_MANAGERS, Status(422), Status(403)) },
    Route { method: "GET", path: "/audits/report", form: &[], signed_out: SignIn, roles: AGGREGATES_PAGE },
    Route { method: "GET", path: "/audits/examples", form: &[], signed_out: SignIn, roles: Roles::Only(EXAMPLE_READERS, Status(200), Status(403)) },
    Route { method: "GET", path: "/audits/999999", form: &[], signed_out: SignIn, roles: Roles::Only(AUDIT_MANAGERS, Status(404), Status(403)) },
    Route { method: "GET", path: "/audits/999999/plans/999999", form: &[], signed_out: SignIn, roles: Roles::Only(AUDIT_PEOPLE, Status(404), Status(403)) },
    Route { method: "POST", path: "/audits/999999/plans/999999", form: &[], signed_out: Status(403), roles: Roles::Only(AUDIT_PEOPLE, Status(404), Status(403)) },
    Route { method: "POST", path: "/audits/999999/plans/999999/assign", form: &[("auditor", ""), ("discipline", "")], signed_out: Status(403), roles: Roles::Only(AUDIT_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/audits/999999/plans/999999/unassign", form: &[("auditor", "1")], signed_out: Status(403), roles: Roles::Only(AUDIT_MANAGERS, Status(404), Status(403)) },
    Route { method: "POST", path: "/audits/999999/plans/999999/moderate", form: &[("grade", "")], signed_out: Status(403), roles: Roles::Only(AUDIT_PEOPLE, Status(404), Status(403)) },
    Route { method: "POST", path: "/audits/999999/plans/999999/example", form: &[], signed_out: Status(403), roles: Roles::Only(AUDIT_PEOPLE, Status(404), Status(403)) },
    // The workforce: `{staff}` is the case manager's account. Blank forms reach validation for
    // those allowed; no supervision 999999 exists, and account 999999 is no member of staff.
    Route { method: "GET", path: "/workforce", form: &[], signed_out: SignIn, roles: Roles::Only(STAFF, Status(200), Status(403)) },
    Route { method: "GET", path: "/workforce/courses", form: &[], signed_out: SignIn, roles: ADMIN_ONLY_PAGE },
    Route { method: "POST", path: "/workforce/courses", form: &[("title", "")], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "GET", path: "/workforce/staff/{staff}", form: &[], signed_out: SignIn, roles: Roles::Only(&[Role::CaseManager, Role::TeamManager, Role::HeadOfService], Status(200), Status(403)) },
    Route { method: "GET", path: "/workforce/staff/999999", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/workforce/staff/{target}", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/workforce/staff/{staff}/supervisions/new", form: &[], signed_out: SignIn, roles: Roles::Only(SUPERVISORS, Status(200), Status(403)) },
    Route { method: "POST", path: "/workforce/staff/{staff}/supervisions/new", form: &[("actions", "")], signed_out: Status(403), roles: Roles::Only(SUPERVISORS, Status(422), Status(403)) },
    Route { method: "POST", path: "/workforce/staff/{staff}/training", form: &[("course", "")], signed_out: Status(403), roles: Roles::Only(SUPERVISORS, Status(422), Status(403)) },
    Route { method: "POST", path: "/workforce/staff/{staff}/induction", form: &[("buddy", "")], signed_out: Status(403), roles: Roles::Only(SUPERVISORS, Status(422), Status(403)) },
    // No induction has started, which only those who may keep it learn.
    Route { method: "POST", path: "/workforce/staff/{staff}/induction/tick", form: &[("item", "")], signed_out: Status(403), roles: Roles::Only(SUPERVISORS, Status(404), Status(403)) },
    Route { method: "GET", path: "/workforce/supervisions/999999", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/workforce/supervisions/999999/actions/1", form: &[("done", "yes")], signed_out: Status(403), roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/admin/users/{target}/sign-out-everywhere", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=signed_out"), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/lift-sign-in-lock", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=unlocked"), Status(403)) },
    // The target set its own password, so there is no invitation to send again or withdraw.
    Route { method: "POST", path: "/admin/users/{target}/details", form: &[("name", "Target Account"), ("email", "")], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/reinvite", form: &[], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/withdraw-invitation", form: &[], signed_out: Status(403), roles: Roles::Admin(Status(422), Status(403)) },
    Route { method: "POST", path: "/admin/users/{target}/reset-two-factor", form: &[], signed_out: Status(403), roles: Roles::Admin(Redirect("/admin/users/{target}?done=two_factor_reset"), Status(403)) },
    Route { method: "GET", path: "/account", form: &[], signed_out: SignIn, roles: Roles::All(Status(200)) },
    // Anyone may set two-factor sign-in up: this session ends and the set-up page follows.
    Route { method: "POST", path: "/account/two-factor", form: &[], signed_out: Status(403), roles: Roles::All(Redirect("/sign-in/set-up-two-factor?next=%2Faccount")) },
    Route { method: "GET", path: "/cases", form: &[], signed_out: SignIn, roles: Roles::Each(case_list_page) },
    Route { method: "GET", path: "/cases?status=overdue&sort=name&page=2", form: &[], signed_out: SignIn, roles: Roles::Each(case_list_page) },
    Route { method: "GET", path: "/cases/MATRIX-1", form: &[], signed_out: SignIn, roles: Roles::Each(seeded_case_page) },
    Route { method: "GET", path: "/cases/NO-SUCH-CASE", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/cases/MATRIX-1/assign", form: &[("case_manager", ""), ("version", "0")], signed_out: Status(403), roles: Roles::Each(stale_reassign) },
    Route { method: "GET", path: "/team", form: &[], signed_out: SignIn, roles: Roles::Each(team_page) },
    Route { method: "GET", path: "/backlog", form: &[], signed_out: SignIn, roles: Roles::Each(backlog_page) },
    Route { method: "GET", path: "/advice", form: &[], signed_out: SignIn, roles: Roles::Each(advice_tray) },
    Route { method: "GET", path: "/duty", form: &[], signed_out: SignIn, roles: Roles::Each(team_page) },
    Route { method: "GET", path: "/cases/MATRIX-1/messages/new", form: &[], signed_out: SignIn, roles: Roles::Each(seeded_case_page) },
    Route { method: "POST", path: "/cases/MATRIX-1/messages/new", form: &[("message", "")], signed_out: Status(403), roles: Roles::Each(not_for_staff) },
    Route { method: "GET", path: "/cases/MATRIX-1/contacts/new", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "POST", path: "/cases/MATRIX-1/contacts/new", form: &[], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/MATRIX-1/messages/999999/reply", form: &[], signed_out: SignIn, roles: Roles::Recorders { record: Status(404), auditor: Status(403) } },
    Route { method: "GET", path: "/advice/MATRIX-1/health", form: &[], signed_out: SignIn, roles: Roles::Each(not_for_staff) },
    Route { method: "GET", path: "/advice/NO-SUCH-CASE/health", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/advice/MATRIX-1/health", form: &[("version", "0"), ("action", "save"), ("needs", "x")], signed_out: Status(403), roles: Roles::Each(not_for_staff) },
    // The forms that change a case. Blank answers: allowed roles reach the form's validation
    // (422) and nothing is saved, so every row sees the same case.
    Route { method: "GET", path: "/cases/new", form: &[], signed_out: SignIn, roles: Roles::Only(OPENERS, Status(200), Status(403)) },
    Route { method: "POST", path: "/cases/new", form: &[("given_name", ""), ("reference", "")], signed_out: Status(403), roles: Roles::Only(OPENERS, Status(422), Status(403)) },
    Route { method: "GET", path: "/cases/{case}/events/new", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/child", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "POST", path: "/cases/{case}/child", form: &[("version", "0"), ("sex", "F")], signed_out: Status(403), roles: Roles::Recorders { record: Status(409), auditor: Status(403) } },
    Route { method: "GET", path: "/cases/{case}/events/new?type=draft_plan_issued", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/events/new?type=exception", form: &[], signed_out: SignIn, roles: Roles::Recorders { record: Redirect("/cases/{case}/exceptions/new"), auditor: Status(403) } },
    Route { method: "GET", path: "/cases/NO-SUCH-CASE/events/new", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/cases/{case}/events/new", form: &[("type", "draft_plan_issued"), ("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/{case}/events/{event}/correct", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/events/999999/correct", form: &[], signed_out: SignIn, roles: Roles::Recorders { record: Status(404), auditor: Status(403) } },
    Route { method: "POST", path: "/cases/{case}/events/{event}/correct", form: &[("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/{case}/events/{event}/withdraw", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "POST", path: "/cases/{case}/events/{event}/withdraw", form: &[("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/{case}/advice-requests/new", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "POST", path: "/cases/{case}/advice-requests/new", form: &[("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/NO-SUCH-CASE/advice-requests/new", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/cases/{case}/exceptions/new", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "POST", path: "/cases/{case}/exceptions/new", form: &[("action", "check"), ("version", "1"), ("seen", "1")], signed_out: Status(403), roles: RECORDER_FORM },
    // Documents. No service was asked for advice on the seeded case, so no professional may
    // add one; an empty upload reaches the form's validation. `{document}` is a PDF the case
    // manager added.
    Route { method: "GET", path: "/cases/{case}/documents/new", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "UPLOAD", path: "/cases/{case}/documents/new", form: &[("kind", ""), ("title", "")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/NO-SUCH-CASE/documents/new", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/cases/{case}/documents/{document}", form: &[], signed_out: SignIn, roles: Roles::Each(seeded_case_page) },
    Route { method: "GET", path: "/cases/{case}/documents/999999", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/cases/MATRIX-1/documents/{document}", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/cases/{case}/documents/{document}/withdraw", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "POST", path: "/cases/{case}/documents/{document}/withdraw", form: &[("reason", "")], signed_out: Status(403), roles: RECORDER_FORM },    // The EHC plan: written by those who may record on the case, the final plan signed off by
    // the head of service, the issued plan read by the family (none is linked to the seeded
    // case). Saves name a revision that was never made (409), so nothing is saved.
    Route { method: "GET", path: "/cases/{case}/plan", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/plan/B", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/plan/Z", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "GET", path: "/cases/NO-SUCH-CASE/plan", form: &[], signed_out: SignIn, roles: Roles::All(Status(404)) },
    Route { method: "POST", path: "/cases/{case}/plan/A", form: &[("revision", "99"), ("text", "Matrix")], signed_out: Status(403), roles: Roles::Recorders { record: Status(409), auditor: Status(403) } },
    Route { method: "POST", path: "/cases/{case}/plan/advice", form: &[("revision", "99")], signed_out: Status(403), roles: Roles::Recorders { record: Status(409), auditor: Status(403) } },
    Route { method: "POST", path: "/cases/{case}/plan/issue-draft", form: &[("revision", "0")], signed_out: Status(403), roles: RECORDER_FORM },
    // No draft issued yet, so there is nothing to sign off.
    Route { method: "POST", path: "/cases/{case}/plan/ask-sign-off", form: &[("revision", "0"), ("note", "")], signed_out: Status(403), roles: RECORDER_FORM },
    Route { method: "GET", path: "/cases/{case}/plan/issue-final", form: &[], signed_out: SignIn, roles: Roles::Each(|role| signer(role, 200)) },
    Route { method: "POST", path: "/cases/{case}/plan/issue-final", form: &[("revision", "0")], signed_out: Status(403), roles: Roles::Each(|role| signer(role, 422)) },
    Route { method: "GET", path: "/cases/{case}/plan/compare", form: &[], signed_out: SignIn, roles: RECORDER_PAGE },
    Route { method: "GET", path: "/cases/{case}/plan/versions/1", form: &[], signed_out: SignIn, roles: Roles::Recorders { record: Status(404), auditor: Status(403) } },
    Route { method: "GET", path: "/cases/{case}/plan/issued", form: &[], signed_out: SignIn, roles: Roles::Each(not_for_staff) },
];

fn home(role: Role) -> &'static str {
    match role {
        Role::Admin => "/admin/users",
        Role::Analyst => "/dashboard",
        Role::QaAuditor => "/audits",
        role if role.gives_advice() => "/advice",
        _ => "/cases",
    }
}

/// The work tray is for the roles that give advice.
fn advice_tray(role: Role) -> Expect {
    if role.gives_advice() {
        Status(200)
    } else {
        Status(403)
    }
}

/// What only families and services asked may do on `MATRIX-1` (no service was asked, no family
/// is linked: answering advice, writing to the council): staff who may read the case are
/// refused, everyone else may not know it exists.
fn not_for_staff(role: Role) -> Expect {
    if lists_cases(role) {
        Status(403)
    } else {
        Status(404)
    }
}

/// The final plan's sign-off: the head of service gets `allowed`; other staff who may read the
/// case are refused; everyone else may not know it exists.
fn signer(role: Role, allowed: u16) -> Expect {
    match role {
        Role::HeadOfService => Status(allowed),
        role if lists_cases(role) => Status(403),
        _ => Status(404),
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
    let document = app
        .state
        .services()
        .add_document(
            &app.caller(Role::CaseManager),
            &case,
            Upload {
                kind: "letter".into(),
                title: "Matrix letter".into(),
                file_name: "letter.pdf".into(),
                content: b"%PDF-1.4\n%%EOF\n".to_vec(),
                shared_with_family: false,
            },
        )
        .await
        .expect("a document")
        .to_string();
    let staff = app.users[&Role::CaseManager].to_string();
    let fill = |text: &str| {
        text.replace("{target}", &target)
            .replace("{staff}", &staff)
            .replace("{css}", &css)
            .replace("{case}", case.as_str())
            .replace("{event}", &event)
            .replace("{document}", &document)
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
                (Some(role), Roles::Only(roles, these, others)) => {
                    if roles.contains(&role) {
                        these
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
                "UPLOAD" => {
                    app.post_multipart(&path, session.as_ref(), route.form, None)
                        .await
                }
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

/// A row of the JSON API's matrix. Requests go with a JSON body (when given), the session's
/// CSRF token as `X-CSRF-Token`, and, when `if_match`, the current version of case `EHC-M`
/// (managed by the case manager, in team north) as `If-Match`.
struct ApiRoute {
    method: &'static str,
    /// `{event}` stands for the id of the case's first event; `{target}` as above.
    path: &'static str,
    body: Option<&'static str>,
    if_match: bool,
    signed_out: u16,
    /// The status for each role, in the order of `Role::ALL`: case manager, team manager,
    /// head of service, health professional, social care professional, education setting,
    /// parent, QA auditor, analyst, administrator.
    roles: [u16; 10],
}

/// Who may see the case (its case manager, managers, QA) and who is told it does not exist.
const CASE_READERS: [u16; 10] = [200, 200, 200, 404, 404, 404, 404, 200, 404, 404];
/// Refused bodies reach validation (422) only for those who may record on the case; QA may see
/// it but not change it (403); the rest are told it does not exist.
const CASE_WRITERS: [u16; 10] = [422, 422, 422, 404, 404, 404, 404, 403, 404, 404];

#[rustfmt::skip]
const API_ROUTES: &[ApiRoute] = &[
    ApiRoute { method: "GET", path: "/api/openapi.json", body: None, if_match: false, signed_out: 200, roles: [200; 10] },
    ApiRoute { method: "GET", path: "/api/v1/session", body: None, if_match: false, signed_out: 401, roles: [200; 10] },
    ApiRoute { method: "GET", path: "/api/v1/cases", body: None, if_match: false, signed_out: 401, roles: [200, 200, 200, 200, 200, 200, 200, 200, 403, 403] },
    // Names missing: those who may open cases get the field errors.
    ApiRoute { method: "POST", path: "/api/v1/cases", body: Some(r#"{"reference": "EHC-X", "received": "2026-01-05"}"#), if_match: false, signed_out: 401, roles: [422, 422, 422, 403, 403, 403, 403, 403, 403, 403] },
    ApiRoute { method: "GET", path: "/api/v1/cases/EHC-M", body: None, if_match: false, signed_out: 401, roles: CASE_READERS },
    ApiRoute { method: "GET", path: "/api/v1/cases/EHC-M/timeline", body: None, if_match: false, signed_out: 401, roles: CASE_READERS },
    ApiRoute { method: "GET", path: "/api/v1/cases/EHC-404", body: None, if_match: false, signed_out: 401, roles: [404; 10] },
    // A date in the future.
    ApiRoute { method: "POST", path: "/api/v1/cases/EHC-M/events", body: Some(r#"{"type": "draft_plan_issued", "date": "2999-01-01"}"#), if_match: true, signed_out: 401, roles: CASE_WRITERS },
    ApiRoute { method: "POST", path: "/api/v1/cases/EHC-M/events", body: Some(r#"{"type": "draft_plan_issued", "date": "2026-04-20"}"#), if_match: false, signed_out: 401, roles: [428; 10] },
    ApiRoute { method: "POST", path: "/api/v1/cases/EHC-M/events/{event}/correction", body: Some(r#"{"type": "request_received", "date": "2999-01-01", "reason": "Matrix"}"#), if_match: true, signed_out: 401, roles: CASE_WRITERS },
    // No such event: those who may record on the case learn that; the rest do not get so far.
    ApiRoute { method: "POST", path: "/api/v1/cases/EHC-M/events/999999/withdrawal", body: Some(r#"{"reason": "Matrix"}"#), if_match: true, signed_out: 401, roles: [404, 404, 404, 404, 404, 404, 404, 403, 404, 404] },
    // The target account is a parent, who cannot manage cases.
    ApiRoute { method: "PUT", path: "/api/v1/cases/EHC-M/case-manager", body: Some(r#"{"case_manager": {target}}"#), if_match: true, signed_out: 401, roles: [403, 422, 422, 404, 404, 404, 404, 403, 404, 404] },
    // The plan: read by those who may write it; the final plan signed off by the head of service
    // alone, who is told no plan is saved yet.
    ApiRoute { method: "GET", path: "/api/v1/cases/EHC-M/plan", body: None, if_match: false, signed_out: 401, roles: [200, 200, 200, 404, 404, 404, 404, 403, 404, 404] },
    ApiRoute { method: "POST", path: "/api/v1/cases/EHC-M/plan/final", body: Some("{}"), if_match: true, signed_out: 401, roles: [403, 403, 422, 404, 404, 404, 404, 403, 404, 404] },
];

#[tokio::test]
async fn every_api_route_answers_every_role_as_the_matrix_says() {
    let app = TestApp::new().await;
    let case = app
        .add_case(
            serde_json::json!({
                "reference": "EHC-M",
                "child": { "given_name": "Matrix", "family_name": "Example", "date_of_birth": "2015-03-02" },
                "events": [{ "type": "request_received", "date": "2026-01-05" }],
            }),
            Some(Role::CaseManager),
        )
        .await;
    let event = app.stored_case("EHC-M").await.history[0].id.to_string();
    let target = app.target.to_string();
    let fill = |text: &str| text.replace("{event}", &event).replace("{target}", &target);

    let mut failures = Vec::new();
    for route in API_ROUTES {
        let path = fill(route.path);
        let body: Option<serde_json::Value> = route
            .body
            .map(|b| serde_json::from_str(&fill(b)).expect("JSON body"));
        let method = axum::http::Method::from_bytes(route.method.as_bytes()).expect("method");
        let who = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some));
        for (index, role) in who.enumerate() {
            let expected = match role {
                None => route.signed_out,
                Some(_) => route.roles[index - 1],
            };
            let session = match role {
                Some(role) => Some(app.session(role).await),
                None => None,
            };
            let version = app.stored_case("EHC-M").await.record.version;
            let if_match = route.if_match.then(|| format!("\"{version}\""));
            let response = app
                .api(
                    method.clone(),
                    &path,
                    session.as_ref(),
                    body.as_ref(),
                    if_match.as_deref(),
                )
                .await;
            if response.status.as_u16() != expected {
                let who = role.map_or("signed out", |r| r.as_str());
                failures.push(format!(
                    "{} {path} as {who}: got {}, expected {expected}: {}",
                    route.method, response.status, response.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(app.stored_case("EHC-M").await.record.version, case.version);
}
