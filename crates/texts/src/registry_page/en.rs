//! The registry's page copy in English: the texts the pages show today.

use domain::AccountType;

use super::RegistryPage as P;
use super::routed;

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    routed!(m {
        P::NotFoundTitle => s("Not found"),
        P::SignInNotStartedHere => s("This sign-in was not started in this browser: start again from the sign-in page"),
        P::SignInAnswerWithoutState => s("The sign-in answer has no state"),
        P::SignInExpired => s("This sign-in has expired or was already used: start again"),
        P::SignInIncomplete { why } => format!("The sign-in did not complete: {why}"),
        P::NotAMember { kra_pin } => format!(
            "You are not a member of the organisation with KRA PIN {kra_pin}: add it to your sign-on account first"
        ),
        P::TokenUncheckable => {
            s("The sign-on service cannot be reached just now to check the token. Try again in a minute.")
        }
        P::ProviderAnsweredWrongly { why } => {
            format!("The sign-on service did not answer as it should ({why}); try again in a minute")
        }
        P::ColRegistration => s("Registration"),
        P::ColVehicle => s("Vehicle"),
        P::ColHeldBy => s("Held by"),
        P::ColAs => s("As"),
        P::ColStatus => s("Status"),
        P::ColReference => s("Reference"),
        P::ColState => s("State"),
        P::ColAge => s("Age"),
        P::ColReviewDue => s("Review due"),
        P::HeldByYou => s("You"),
        P::Days { n } => format!("{n} day{}", plural(n)),
        P::ReviewBacklog { waiting, oldest_days } => format!(
            "{waiting} transfer{} waiting; the oldest for {oldest_days} day{}.",
            plural(waiting),
            plural(oldest_days)
        ),
        P::Year => s("Year"),
        P::Class => s("Class"),
        P::Engine => s("Engine"),
        P::Chassis => s("Chassis"),
        P::EngineNumber => s("Engine number"),
        P::LogbookSerial => s("Logbook serial"),
        P::Owner => s("Owner"),
        P::Financier => s("Financier"),
        P::SmsCode => s("SMS code"),
        P::ScannedLogbook => s("Scanned logbook"),
        P::Upload => s("Upload"),
        P::AddressExample => s("For example P.O. Box 12345-00100 Nairobi"),
        P::Reason => s("Reason"),
        P::TimelineSystem => s("tims"),
        P::UploadUnreadable => s("The upload could not be read: try again"),
        P::FileTooLarge { mb } => format!("The file is too large: at most {mb} MB"),
    })
}

/// The words the registry's templates place.
fn template_words(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::HomeTitle => s("Home"),
        P::VehicleRegistry => s("Vehicle registry"),
        P::SignedInAs { name } => format!("Signed in as {name}."),
        P::ActFor => s("Act for"),
        P::Myself => s("Myself"),
        P::Switch => s("Switch"),
        P::SellAVehicle => s("Transfer a vehicle (sell)"),
        P::TransfersYouArePartOf => s("Transfers you are part of"),
        P::TransfersYouArePartOfWhat => s(": accept or decline, consent, follow the logbook"),
        P::LookUpByRegistration => s("Look up a vehicle by registration number"),
        P::SignOut => s("Sign out"),
        P::HomeLead => s("Sell or buy a vehicle online, follow a transfer and collect the new logbook. Sign in with \
                          your national sign-on account (ID number, password and an SMS code)."),
        P::SignIn => s("Sign in"),
        P::NoAccountYet => s("No account yet?"),
        P::RegisterWithSignOn => s("Register with the sign-on"),
        P::RegistrationNumber => s("Registration number"),
        P::RegistrationExample => s("For example KAA 001A"),
        P::BuyerDocument { account_type } => s(match account_type {
            AccountType::Citizen => "National ID (citizen)",
            AccountType::Resident => "Alien ID (resident)",
            AccountType::Foreigner => "Passport (foreigner)",
        }),
        P::InquiryExample => s("For example KAA 001A or KMAA 001A"),
        P::Inquire => s("Inquire"),
        P::TransferTitle { reference } => format!("Transfer {reference}"),
        P::Seller => s("Seller"),
        P::Buyer => s("Buyer"),
        P::TransferFee => s("Transfer fee"),
        P::JointOwner => s("Joint owner"),
        P::Waiting => s("waiting"),
        P::CollectAt => s("Collect at"),
        P::ReviewDueBy => s("Review due by"),
        P::NewLogbook => s("New logbook"),
        P::Timeline => s("Timeline"),
        P::ColWhen => s("When (EAT)"),
        P::ColWhat => s("What"),
        P::ColWho => s("Who"),
        // Routed here by `render`: any other message is not, and would
        // render empty, which the catalogue's test refuses.
        _ => String::new(),
    }
}

/// Where a transfer, its logbook and a vehicle stand, and who is who.
fn standing(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::DecisionName { decision } => s(decision.label()),
        P::BuyerTypeName { buyer_type } => match buyer_type {
            domain::BuyerType::Individual => s("A person"),
            domain::BuyerType::Organisation(kind) => s(kind.label()),
        },
        P::StepName { step } => s(step.label()),
        P::StateLabel { state } => s(state.label()),
        P::StateNextStep { state } => s(state.next_step()),
        P::LogbookStateLabel { state } => s(state.label()),
        P::LogbookNextStep { state } => s(state.next_step()),
        P::OwnerRoleName { role } => s(role.label()),
        P::VehicleStatusName { status } => s(status.label()),
        P::VehicleClassName { class } => s(class.label()),
        P::OrgAndRole { org, role } => {
            format!("{org} ({})", crate::Text::render(&crate::SignOnAccount::RoleName { role }, crate::Lang::En))
        }
        // Routed here by `render`: any other message is not, and would
        // render empty, which the catalogue's test refuses.
        _ => String::new(),
    }
}
