//! Page copy in English: the texts the pages show today.

use super::{Page, Part};

pub(super) fn render(m: &Page<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        Page::ServiceName { part } => s(service(part)),
        Page::ErrorSummaryTitle => s("There is a problem"),
        Page::ErrorTitlePrefix => s("Error: "),
        Page::NavMyVehicles => s("My vehicles"),
        Page::NavInquiry => s("Inquiry"),
        Page::NavTransfers => s("Transfers"),
        Page::NavReviewQueue => s("Review queue"),
        Page::ActingFor { person, org } => format!("{person} for {org}"),
        Page::NextPage => s("Next page"),
        Page::FirstPage => s("Back to the first page"),
        Page::SignedIn => s("You are signed in."),
        Page::SignedOut => s("You have signed out."),
        Page::PreferencesSaved => s("Your preferences are saved."),
        Page::OrgAdded => s("The organisation is on your account."),
        Page::ActingAsShown => s("Done: you now act as shown at the top of the page."),
        Page::CodeSent => s("We have sent a code to your phone. It works for 5 minutes."),
        Page::MyVehicles => s("My vehicles"),
        Page::MyVehiclesAndOrgs { org } => format!("My vehicles and those of {org}"),
        Page::NoVehicles => s("No vehicles are registered to you."),
        Page::LookUpVehicle => s("Look up a vehicle"),
        Page::PublicPartOnly => s("You see the public part of the record: owners see the whole of it."),
        Page::TransferPending => s("Transfer pending"),
        Page::NoTransfers => s("You are not part of any transfer."),
        Page::ReviewQueueTitle => s("Review queue (oldest first)"),
        Page::NothingToReview => s("Nothing is waiting for review."),
        Page::CodeLabel => s("The 6-digit code sent to your phone"),
        Page::ScanHint => s("A PDF, JPEG or PNG of at most 10 MB."),
        Page::CollectionOffice => s("Office where you will collect the logbook"),
        Page::PostalAddress => s("Your postal address"),
        Page::AcceptTransfer => s("Accept the transfer"),
        Page::DeclineTransfer => s("Decline the transfer"),
        Page::PayFee => s("Pay the transfer fee"),
        Page::ApproveTransfer => s("Approve the transfer"),
        Page::LogbookPrinted => s("The logbook is printed"),
        Page::LogbookCollectedByBuyer => s("The buyer collected the logbook"),
        Page::SomethingWentWrongTitle => s("Something went wrong"),
        Page::ThatDidNotWork => s("That did not work"),
        Page::NothingHere => s("There is nothing here, or it is not yours to see."),
        Page::GoToAccount => s("Go to your account"),
        Page::YouCannotDoThat => s("You cannot do that"),
        Page::AccountDoesNotAllow => s("Your account does not allow this."),
        Page::ServiceUnavailableTitle => s("Service unavailable"),
        Page::RegisterNotAnswering => {
            s("A register we check against is not answering. Try again in a few minutes; nothing was changed.")
        }
        Page::ServiceVeryBusy => s("The service is very busy"),
        Page::NothingChanged => s("Nothing was changed. Try again later."),
        Page::FormExpiredTitle => s("The form has expired"),
        Page::CookieMissing => s("Your browser did not send back this site's cookie: allow cookies for this site."),
        Page::RecoverNow => s("Recover your account now"),
        Page::Pages => s("Pages"),
    }
}

fn service(part: Part) -> &'static str {
    match part {
        Part::Registry => "tims vehicle registry",
        Part::SignOn => "tims sign-on",
    }
}
