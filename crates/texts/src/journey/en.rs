//! The registry's journeys in English.

use domain::guidance::Guidance as G;
use domain::transfer::State;

use super::{Answering as A, Journey as J, Progress as P};
use crate::format::kes;

pub(super) fn render(m: &J<'_>) -> String {
    let s = |t: &str| t.to_string();
    match m {
        J::Back => s("Back"),
        J::Change => s("Change"),
        J::Continue => s("Continue"),
        J::Confirm => s("Confirm"),
        J::Details => s("Details of the transfer"),
        J::SellAVehicle => s("Sell a vehicle"),
        J::SellVehicle { reg_no } => format!("Sell {reg_no}"),
        J::WhichVehicle => s("Which vehicle are you selling?"),
        J::WhoIsBuying => s("Who is buying it?"),
        J::BuyerKindHint => {
            s("An organisation is a company, a dealer, a bank, an insurer, an embassy or a government department.")
        }
        J::BuyerIsAPerson => s("A person"),
        J::BuyerIsAnOrganisation => s("An organisation"),
        J::ChooseBuyerKind => s("Choose whether the buyer is a person or an organisation"),
        J::WhatIsTheBuyersId => s("What is the buyer's ID?"),
        J::WhatIsTheBuyersPin => s("What is the buying organisation's KRA PIN?"),
        J::BuyerMustHaveSignedIn => {
            s("The buyer must have signed in to this service once, so that we can reach them by SMS.")
        }
        J::IdDocument => s("Type of ID"),
        J::IdDocumentNumber => s("ID or passport number"),
        J::IdNumberHint => s("As it is written on the document"),
        J::KraPin => s("KRA PIN"),
        J::KraPinHint => s("11 characters, for example P051234567X"),
        J::CheckBeforeStarting => s("Check your answers before you start the transfer"),
        J::Buyer => s("Buyer"),
        J::BuyersName => s("Buyer's name, from the register"),
        J::FeePaidByBuyer { amount_cents } => format!("{}, paid by the buyer", kes(*amount_cents)),
        J::FeePaidBySeller { amount_cents } => format!("{}, paid by the seller", kes(*amount_cents)),
        J::AfterStarting => {
            s("Next you upload a colour scan of the logbook and confirm the transfer with a code we send to your \
             phone. Nothing changes until you do.")
        }
        J::OthersMustConsent { n: 1 } => s("1 other owner on the logbook must also approve the sale."),
        J::OthersMustConsent { n } => format!("{n} other owners on the logbook must also approve the sale."),
        J::StartTheTransfer => s("Start the transfer"),
        J::UploadTheScan => s("Upload the scanned logbook"),
        J::ScanWhatToSend => {
            s("Scan the whole original logbook in colour, every page with writing on it. A photocopy or a \
             black-and-white scan is rejected.")
        }
        J::UploadAnotherScan => s("Upload a different scan"),
        J::CheckAndSubmit => s("Check and submit"),
        J::CheckBeforeSubmitting => s("Check the transfer before you submit it"),
        J::SubmitWhatHappens => {
            s("When you submit, we ask the other owners on the logbook (if there are any) and then the buyer to \
             answer. You cannot change the buyer after this: to change them, cancel and start again.")
        }
        J::ScanUploaded => s("Uploaded"),
        J::ScanUploadedBySeller => s("Uploaded by the seller"),
        J::SendMeTheCode => s("Send me the code to submit"),
        J::CodeToSubmit => s("Enter the code to submit the transfer"),
        J::CancelThisTransfer => s("Cancel this transfer"),
        J::SureToCancel { reg_no } => format!("Are you sure you want to cancel the transfer of {reg_no}?"),
        J::CancelWhatHappens { buyer } => format!(
            "The transfer to {buyer} ends and the vehicle stays yours. Everyone who was asked to answer is told by SMS."
        ),
        J::CannotBeUndone => s("This cannot be undone."),
        J::YesCancel => s("Yes, cancel the transfer"),
        J::NoKeepIt => s("No, keep the transfer"),
    }
}

pub(super) fn render_answering(m: &A<'_>) -> String {
    let s = |t: &str| t.to_string();
    match m {
        A::DoYouAccept { reg_no, seller } => format!("Do you accept the transfer of {reg_no} from {seller}?"),
        A::DoYouAgree { reg_no, buyer } => format!("Do you agree to the sale of {reg_no} to {buyer}?"),
        A::TheVehicle { vehicle } => format!("Vehicle: {vehicle}."),
        A::IfYouAccept { amount_cents } => {
            format!("If you accept, you pay the transfer fee of {} next, with M-Pesa.", kes(*amount_cents))
        }
        A::FeeAlreadyPaid => s("The transfer fee is paid already: you pay nothing."),
        A::AsOwnerYouMustAgree => s("You are on this vehicle's logbook, so the sale needs your approval."),
        A::YesAccept => s("Yes, I accept"),
        A::NoDecline => s("No, I decline"),
        A::YesApprove => s("Yes, I approve the sale"),
        A::NoRefuse => s("No, I refuse the sale"),
        A::ChooseAnAnswer => s("Choose yes or no"),
        A::WhatIsYourPostalAddress => s("What is your postal address?"),
        A::AddressWhy => s("It is written in the new logbook."),
        A::WhereWillYouCollect => s("Where will you collect the new logbook?"),
        A::OfficeHint => s("Choose the office nearest to you. Bring your original ID when you collect it."),
        A::CheckYourAnswer => s("Check your answer"),
        A::YourAnswer => s("Your answer"),
        A::FeePaidNext { amount_cents } => format!("{}, paid next with M-Pesa", kes(*amount_cents)),
        A::DeclineEnds => {
            s("If you decline, the transfer ends and the vehicle stays with the seller. This cannot be undone.")
        }
        A::RefuseEnds => {
            s("If you refuse, the transfer ends and the vehicle stays with its owners. This cannot be undone.")
        }
        A::SendCodeToAccept => s("Send me the code to accept"),
        A::SendCodeToDecline => s("Send me the code to decline"),
        A::SendCodeToApprove => s("Send me the code to approve"),
        A::SendCodeToRefuse => s("Send me the code to refuse"),
        A::CodeToAccept => s("Enter the code to accept the transfer"),
        A::CodeToDecline => s("Enter the code to decline the transfer"),
        A::CodeToApprove => s("Enter the code to approve the sale"),
        A::CodeToRefuse => s("Enter the code to refuse the sale"),
        A::WeSentACode { phone } => format!("We sent a 6-digit code by SMS to {phone}. It expires in 5 minutes."),
        A::NewCodeSent => s("We sent you a new code. Use the newest one."),
        A::SendANewCode => s("Send me a new code"),
    }
}

pub(super) fn render_progress(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match m {
        P::WhatYouNeedToDo => s("What you need to do"),
        P::WhatHappensNext => s("What happens next"),
        P::YourReference { reference } => format!("Your reference is {reference}."),
        P::Guide { guidance, by, review_by, office, ready, fee } => {
            guide(*guidance, by, review_by, office, ready, *fee)
        }
        P::OfficersReason { reason } => format!("The officer's reason: {reason}"),
        P::AnswerTheRequest => s("Approve or refuse"),
        P::AcceptOrDecline => s("Accept or decline"),
        P::PayFee { amount_cents } => format!("Pay {}", kes(*amount_cents)),
        P::ReviewIt => s("Review the transfer"),
        P::SeeTheReceipt => s("See the payment receipt"),
        P::NoticeStarted => s("Transfer started"),
        P::NoticeUploaded => s("Scan uploaded"),
        P::NoticeSubmitted => s("Transfer submitted"),
        P::NoticeConsented => s("You approved the sale"),
        P::NoticeRefused => s("You refused the sale"),
        P::NoticeAccepted => s("You accepted the transfer"),
        P::NoticeDeclined => s("You declined the transfer"),
        P::NoticeCancelled => s("Transfer cancelled"),
        P::NoticePaid => s("Fee paid"),
        P::NoticeReviewed => s("Review recorded"),
        P::NoticeRecorded => s("Logbook progress recorded"),
    }
}

/// What a transfer's reader must do or waits for.
fn guide(g: G, by: &str, review_by: &str, office: &str, ready: &str, fee: i64) -> String {
    let fee = kes(fee);
    let review = if review_by.is_empty() { String::new() } else { format!(" by {review_by}") };
    match g {
        G::UploadScan => format!(
            "Upload a colour scan of the logbook, then check the transfer and confirm it with the code we send to \
             your phone. Do this by {by}, or the transfer ends."
        ),
        G::Submit => format!(
            "Check the transfer and confirm it with the code we send to your phone. Do this by {by}, or the \
             transfer ends."
        ),
        G::WaitForSeller => format!("The seller has not submitted the transfer yet. They have until {by}."),
        G::SellerPay => format!(
            "Pay the transfer fee of {fee} with M-Pesa by {by}. The buyer and anyone else on the logbook are asked \
             once it is paid."
        ),
        G::WaitForSellerPayment => format!("The seller must pay the transfer fee by {by}. You are asked after that."),
        G::Consent => {
            format!("You are on the logbook: approve or refuse this sale by {by}. If you refuse, the transfer ends.")
        }
        G::WaitForConsents => {
            format!("The other owners on the logbook must approve the sale. They have until {by}.")
        }
        G::Answer => format!("Accept or decline the transfer by {by}. If you accept, you pay the fee of {fee} next."),
        G::AnswerFeePaid => {
            format!("Accept or decline the transfer by {by}. The fee is paid already: you pay nothing.")
        }
        G::WaitForBuyer => {
            format!("The buyer must accept or decline by {by}. We will send you an SMS when they answer.")
        }
        G::Pay => format!("Pay the transfer fee of {fee} with M-Pesa by {by}. An officer reviews it once it is paid."),
        G::WaitForPayment => format!("The buyer must pay the transfer fee by {by}."),
        G::Review => format!("Review the transfer and the scanned logbook{review}."),
        G::WaitForReview => format!(
            "An officer checks the transfer and the scanned logbook{review}. We will send you an SMS with the result."
        ),
        G::Printing => format!(
            "Ownership has changed. The new logbook will be ready by {ready} at {office}. The buyer collects it \
             there with their original ID."
        ),
        G::ReadyToCollect => format!(
            "Your new logbook is ready at {office}. Bring your original ID (for an organisation, its letter of \
             authority and your ID)."
        ),
        G::ReadyForBuyer => format!("Ownership has changed. The new logbook is ready for the buyer at {office}."),
        G::Collected => "Ownership has changed and the new logbook has been collected.".to_string(),
        G::Ended(state) => ended(state).to_string(),
        G::EndedForSeller(state) => ended_for_seller(state).to_string(),
        G::EndedForBuyer(state) => ended_for_buyer(state).to_string(),
        G::PrintingForBuyer => format!(
            "Ownership has changed: the vehicle is yours. Your new logbook will be ready by {ready} at {office}. \
             Collect it there with your original ID."
        ),
        G::Rescan => format!(
            "An officer returned the transfer: the scanned logbook cannot be accepted. Upload a new colour scan of \
             the original logbook and resubmit it with the code we send to your phone, by {by}. You do not pay \
             again."
        ),
        G::WaitForRescan => format!(
            "An officer returned the transfer to the seller for a new scan of the logbook. The seller has until \
             {by}; the fee stays paid."
        ),
    }
}

fn ended(state: State) -> &'static str {
    match state {
        State::Declined => "The buyer declined. The vehicle stays with its owner.",
        State::Cancelled => "The seller cancelled the transfer. The vehicle stays with its owner.",
        State::Expired => {
            "No one completed the transfer in time, so it has ended. The vehicle stays with its owner; the seller \
             can start a new transfer."
        }
        State::Rejected => "An officer rejected the transfer. The vehicle stays with its owner.",
        State::ConsentRefused => "An owner on the logbook refused the sale. The vehicle stays with its owner.",
        _ => "This transfer has ended.",
    }
}

fn ended_for_seller(state: State) -> &'static str {
    match state {
        State::Declined => "The buyer declined. The vehicle stays yours.",
        State::Cancelled => "You cancelled the transfer. The vehicle stays yours.",
        State::Expired => {
            "No one completed the transfer in time, so it has ended. The vehicle stays yours; you can start a new \
             transfer."
        }
        State::Rejected => "An officer rejected the transfer. The vehicle stays yours.",
        State::ConsentRefused => "An owner on the logbook refused the sale. The vehicle stays yours.",
        _ => "This transfer has ended.",
    }
}

fn ended_for_buyer(state: State) -> &'static str {
    match state {
        State::Declined => "You declined the transfer. The vehicle stays with the seller.",
        State::Cancelled => "The seller cancelled the transfer. Nothing more is asked of you.",
        State::Expired => "No one completed the transfer in time, so it has ended. Nothing more is asked of you.",
        State::Rejected => "An officer rejected the transfer. The vehicle stays with the seller.",
        State::ConsentRefused => {
            "An owner on the logbook refused the sale, so it has ended. Nothing more is asked of you."
        }
        _ => "This transfer has ended.",
    }
}
