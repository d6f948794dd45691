//! The sign-on's page copy in English: the texts its pages show today.

use domain::{AccountType, DatePartsRefusal as D};

use super::{SignOnAccount as A, SignOnMessage as M, SignOnPage as P};

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::SignInTitle => s("Sign in"),
        P::YouAreA => s("You are a"),
        P::AccountTypeChoice { account_type } => s(match account_type {
            AccountType::Citizen => "Kenyan citizen (national ID)",
            AccountType::Resident => "Foreign resident (alien ID)",
            AccountType::Foreigner => "Visitor (passport)",
        }),
        P::IdOrPassport => s("ID or passport number"),
        P::Password => s("Password"),
        P::Continue => s("Continue"),
        P::CreateAnAccount => s("Create an account"),
        P::ForgotPassword => s("Forgot your password?"),
        P::RecoverInstead => s("Forgot your password? Recover your account"),
        P::CheckYourPhone => s("Check your phone"),
        P::CodeSentToVerify { phone } => {
            format!("We sent a 6-digit code to {phone} to check that the number is yours.")
        }
        P::EnterSignInCode => s("Enter your sign-in code"),
        P::CodeSentTo { phone } => format!("We sent a 6-digit code to {phone}."),
        P::CodeWorksFiveMinutes => s("The code works for 5 minutes."),
        P::Code => s("Code"),
        P::SendNewCode => s("Send a new code"),
        P::NewCodeOnItsWay => s("A new code is on its way."),
        P::SignOutQuestion => s("Sign out?"),
        P::ServiceAskedSignOut => s("A service asked to sign you out of the sign-on."),
        P::SignOut => s("Sign out"),
        P::RegisterLead => s("One account signs you in to every online service of the agency."),
        P::IdNumberHint => s("The number on the document that matches your choice above"),
        P::DateOfBirth => s("Date of birth"),
        P::DateOfBirthHint => s("As on your document, for example 17 5 1990"),
        P::MobileNumber => s("Mobile number"),
        P::MobileNumberHint => s("We send a code to this number to check it, for example 0712 345 678"),
        P::EmailOptional => s("Email address (optional)"),
        P::PasswordAgain => s("Password again"),
        P::PasswordHint => s("At least 10 characters. Three or four unrelated words are easy to remember and hard \
                              to guess; do not use your name, ID number, phone number or a common password"),
        P::SmsAlertsOptIn => s("Send me SMS alerts about my transactions"),
        P::CreateAccount => s("Create account"),
        P::HaveAccount => s("I already have an account"),
        P::RecoverTitle => s("Recover your account"),
        P::RecoverLead => s("If you forgot your password, we send a code to the mobile number on your account. \
                             Then you choose a new password."),
        P::SendACode => s("Send a code"),
        P::BackToSignIn => s("Back to sign in"),
        P::NewPasswordTitle => s("Choose a new password"),
        P::RecoverCodeLead => s("If the details you gave match an account, we sent a 6-digit code to its registered \
                                 mobile number. The code works for 5 minutes."),
        P::RecoverNoCode => s("If no code comes within a few minutes, check the details and start again; after \
                               several codes in a short time, wait 15 minutes first."),
        P::NewPassword => s("New password"),
        P::NewPasswordAgain => s("New password again"),
        P::ChangePassword => s("Change password"),
        P::StartAgain => s("Start again"),
        P::SmsAlertsTitle => s("SMS alerts"),
        P::SmsAlertsLead => s("Choose whether we send you SMS alerts about your transactions. Codes for signing in \
                               are always sent."),
        P::Save => s("Save"),
        P::BackToAccount => s("Back to your account"),
        P::AddOrgTitle => s("Add an organisation"),
        P::AddOrgLead => {
            s("To act for a company, dealer, bank, insurer, embassy or government body, add it by its KRA PIN.")
        }
        P::AddOrgDirector => s("If the KRA register lists you as a director, you become its administrator at once. \
                                Otherwise its administrators are asked to approve you."),
        P::OrgPinLabel => s("KRA PIN of the organisation"),
        P::OrgPinHint => s("For example P051234567A"),
        P::AddOrg => s("Add organisation"),
        P::DateDay => s("Day"),
        P::DateMonth => s("Month"),
        P::DateYear => s("Year"),
        P::GoToRegistry => s("Go to the vehicle registry"),
    }
}

pub(super) fn render_message(m: &M) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        M::OrgRequested => s("Your request was sent to the organisation's administrators."),
        M::MemberSaved => s("The change is saved and the person was told by SMS."),
        M::PasswordChanged => s("Your password was changed. Sign in with the new password."),
        M::SignedOut => s("You are signed out."),
        M::PageNotFound => s("Page not found"),
        M::PleaseWait => s("Please wait"),
        M::ServiceProblem => s("Sorry, there is a problem with the service"),
        M::FormNotAccepted => {
            s("For your safety the form could not be accepted. Go back, reload the page and try again.")
        }
        M::DevCookies => s("Development: a program must keep the cookies it is given and send them back. They are \
                            Secure cookies, which Python's requests (http.cookiejar) sends only over https, whatever \
                            the host; browsers and curl send them to http://localhost too. For the API, use an \
                            access token instead (tims dev token, or the authorization code flow): see \"Calling \
                            the API from your own program\" in the README."),
        M::FormUnreadableTitle => s("The form could not be read"),
        M::SendFormFromPage => s("Send the form from its page, filled in as asked."),
        M::SignOutRequestUnusable => s("This sign-out request cannot be used"),
        M::SignedOutTitle => s("You are signed out"),
        M::CloseWindow => s("You can close this window."),
        M::SignInAgain => s("Sign in again"),
        M::BrokenSignInLink => s("This sign-in link is broken"),
        M::UnreadableRequest => s("The service that sent you here built a request we cannot read."),
        M::SignInRequestUnusable => s("This sign-in request cannot be used"),
        M::GoBackToService => s("Go back to the service and try again; if it happens again, tell the service."),
        M::DevSmsTitle => s("Development SMS"),
        M::DevSmsLead => s("This page exists only in development mode: it shows every SMS the server would have \
                            sent, newest first, so you can read your codes. Each says what it is for and, where \
                            there is one, what it is about (a transfer's reference, an organisation's KRA PIN). \
                            Scripts can read the same as JSON at"),
        M::DevSmsOnePhone => s("a phone number for one phone's"),
        M::DevSmsTo => s("To"),
        M::DevSmsFor => s("For"),
        M::DevSmsAbout => s("About"),
        M::DevSmsMessage => s("Message"),
        M::AccountCreated => s("Your account is ready and your mobile number is checked. You are signed in."),
        M::CodeResent => s("A new code is on its way. The codes sent before it no longer work."),
        M::DateOfBirthRefused { refusal } => date_of_birth_refused(refusal),
    }
}

pub(super) fn render_account(m: &A<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        A::YourAccount => s("Your account"),
        A::AccountTypeRow => s("Account type"),
        A::AccountTypeName { account_type } => s(account_type.as_str()),
        A::DocumentName { account_type } => s(account_type.document()),
        A::Mobile => s("Mobile"),
        A::Verified => s("verified"),
        A::Subscribed => s("Subscribed"),
        A::NotSubscribed => s("Not subscribed"),
        A::Change => s("change"),
        A::Organisations => s("Organisations"),
        A::NoOrgs => s("You do not act for any organisation."),
        A::OrgColumn => s("Organisation"),
        A::KraPinColumn => s("KRA PIN"),
        A::YourRole => s("Your role"),
        A::WaitingApproval => s("Waiting for approval"),
        A::AddOrgByPin => s("Add an organisation by its KRA PIN"),
        A::RoleName { role } => s(role.label()),
        A::OrgKindName { kind } => s(kind.label()),
        A::OrgLead { kra_pin } => format!(
            "KRA PIN {kra_pin}. Approve people who asked to act for the organisation, set roles and remove people."
        ),
        A::Person => s("Person"),
        A::StatusAndRole => s("Status and role"),
        A::ChangeColumn => s("Change"),
        A::AsksToJoin => s("Asks to join"),
        A::IdOf { id_number } => format!("ID {id_number}"),
        A::Role => s("Role"),
        A::RemoveFromOrg => s("Remove from organisation"),
        A::RefuseRequest => s("Refuse request"),
        A::Decide => s("Decide"),
    }
}

/// A date of birth refused, naming the box that is wrong.
fn date_of_birth_refused(refusal: D) -> String {
    match refusal {
        D::Empty => "Enter your date of birth".into(),
        D::Missing { day, month, year } => {
            let parts: Vec<&str> = [(day, "a day"), (month, "a month"), (year, "a year")]
                .into_iter()
                .filter_map(|(missing, part)| missing.then_some(part))
                .collect();
            format!("Date of birth must include {}", parts.join(" and "))
        }
        D::Day => "The day of birth must be a number from 1 to 31".into(),
        D::Month => "The month of birth must be a number from 1 to 12".into(),
        D::Year => "The year of birth must be 4 digits, for example 1990".into(),
        D::NoSuchDay { days_in_month } => {
            format!("Date of birth must be a real date: that month has {days_in_month} days")
        }
    }
}
