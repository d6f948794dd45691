//! What a transfer's page tells the person reading it: what they must do
//! now, or what they wait for, from their part in the transfer and its
//! state. Pure: the page gives the dates, the catalogue the words.

use crate::transfer::{LogbookState, State};

/// The reader's part in a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Seller,
    /// A joint owner or the financier, and whether their answer is awaited.
    Consenter {
        pending: bool,
    },
    Buyer,
    Officer,
    /// Staff or anyone else allowed to see it, with no part in it.
    Onlooker,
}

/// What the reader is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guidance {
    /// The seller must upload the scanned logbook, by the expiry date.
    UploadScan,
    /// The seller must check and submit with a code, by the expiry date.
    Submit,
    /// The reader waits for the seller to submit, until the expiry date.
    WaitForSeller,
    /// The seller must pay the transfer fee before anyone else is asked,
    /// by the expiry date.
    SellerPay,
    /// The reader waits for the seller to pay the fee, until the expiry date.
    WaitForSellerPayment,
    /// The reader must approve or refuse, by the expiry date.
    Consent,
    /// The reader waits for the joint owners and the financier.
    WaitForConsents,
    /// The buyer must accept or decline, by the expiry date.
    Answer,
    /// The same, when the fee is paid already: the buyer pays nothing.
    AnswerFeePaid,
    /// The reader waits for the buyer's answer, until the expiry date.
    WaitForBuyer,
    /// The buyer must pay the fee, by the expiry date.
    Pay,
    /// The reader waits for the buyer to pay, until the expiry date.
    WaitForPayment,
    /// An officer must review it, by the review deadline.
    Review,
    /// The reader waits for an officer, until the review deadline.
    WaitForReview,
    /// The new logbook is being printed: ready by its date, at the office.
    Printing,
    /// The buyer may collect it at the office, bringing their ID.
    ReadyToCollect,
    /// The reader waits while the buyer collects it.
    ReadyForBuyer,
    Collected,
    /// It has ended without a change of owner, in the state given.
    Ended(State),
    /// An officer returned it for a new scan: the seller uploads one and
    /// resubmits with a code, by the expiry date, without paying again.
    Rescan,
    /// The reader waits for the seller's new scan, until the expiry date.
    WaitForRescan,
    /// The buyer's new logbook is being printed: ready by its date.
    PrintingForBuyer,
    /// It has ended, told to the seller: the vehicle stays theirs.
    EndedForSeller(State),
    /// It has ended, told to the buyer.
    EndedForBuyer(State),
}

/// What `reader` is told of a transfer in `state`; `scan` is whether the
/// scanned logbook is uploaded, `logbook` the new logbook's state.
pub fn guidance(reader: Reader, state: State, scan: bool, logbook: Option<LogbookState>) -> Guidance {
    use Guidance as G;
    use Reader as R;
    match (state, reader) {
        (State::Draft, R::Seller) if !scan => G::UploadScan,
        (State::Draft, R::Seller) => G::Submit,
        // Nothing is asked of the others before the seller submits.
        (State::Draft, _) => G::WaitForSeller,
        (State::AwaitingSellerPayment, R::Seller) => G::SellerPay,
        (State::AwaitingSellerPayment, _) => G::WaitForSellerPayment,
        (State::AwaitingConsents, R::Consenter { pending: true }) => G::Consent,
        (State::AwaitingConsents, _) => G::WaitForConsents,
        (State::AwaitingBuyer, R::Buyer) => G::Answer,
        (State::AwaitingBuyer, _) => G::WaitForBuyer,
        (State::AwaitingPayment, R::Buyer) => G::Pay,
        (State::AwaitingPayment, _) => G::WaitForPayment,
        (State::InReview, R::Officer) => G::Review,
        (State::InReview, _) => G::WaitForReview,
        (State::ReturnedForScan, R::Seller) => G::Rescan,
        (State::ReturnedForScan, _) => G::WaitForRescan,
        (State::Approved, reader) => match logbook.unwrap_or(LogbookState::Printing) {
            LogbookState::Printing if reader == R::Buyer => G::PrintingForBuyer,
            LogbookState::Printing => G::Printing,
            LogbookState::ReadyForCollection if reader == R::Buyer => G::ReadyToCollect,
            LogbookState::ReadyForCollection => G::ReadyForBuyer,
            LogbookState::Collected => G::Collected,
        },
        (ended, R::Seller) => G::EndedForSeller(ended),
        (ended, R::Buyer) => G::EndedForBuyer(ended),
        (ended, _) => G::Ended(ended),
    }
}

/// The guidance for a transfer whose fee is paid before the buyer answers
/// (the seller paid, or a kept payment did): the buyer pays nothing.
pub fn fee_paid(g: Guidance) -> Guidance {
    if g == Guidance::Answer { Guidance::AnswerFeePaid } else { g }
}

/// Whether `g` asks the reader to act (else they wait or it is over).
pub fn is_for_the_reader(g: Guidance) -> bool {
    matches!(g, Guidance::UploadScan | Guidance::Consent | Guidance::Answer | Guidance::Pay | Guidance::Review)
        || g == Guidance::AnswerFeePaid
        || matches!(g, Guidance::ReadyToCollect | Guidance::Rescan | Guidance::SellerPay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_is_told_what_is_theirs_to_do_and_others_what_they_wait_for() {
        use Guidance as G;
        let seller = Reader::Seller;
        assert_eq!(guidance(seller, State::Draft, false, None), G::UploadScan);
        assert_eq!(guidance(seller, State::Draft, true, None), G::Submit);
        assert_eq!(guidance(Reader::Buyer, State::Draft, true, None), G::WaitForSeller);
        assert_eq!(guidance(Reader::Buyer, State::AwaitingBuyer, true, None), G::Answer);
        assert_eq!(guidance(seller, State::AwaitingBuyer, true, None), G::WaitForBuyer);
        assert_eq!(guidance(Reader::Consenter { pending: true }, State::AwaitingConsents, true, None), G::Consent);
        assert_eq!(
            guidance(Reader::Consenter { pending: false }, State::AwaitingConsents, true, None),
            G::WaitForConsents
        );
        assert_eq!(guidance(Reader::Buyer, State::AwaitingPayment, true, None), G::Pay);
        assert_eq!(guidance(seller, State::AwaitingPayment, true, None), G::WaitForPayment);
        assert_eq!(guidance(Reader::Officer, State::InReview, true, None), G::Review);
        assert_eq!(guidance(Reader::Buyer, State::InReview, true, None), G::WaitForReview);
        // A collected logbook is never "being printed".
        let collected = Some(LogbookState::Collected);
        assert_eq!(guidance(Reader::Buyer, State::Approved, true, collected), G::Collected);
        let ready = Some(LogbookState::ReadyForCollection);
        assert_eq!(guidance(Reader::Buyer, State::Approved, true, ready), G::ReadyToCollect);
        assert_eq!(guidance(seller, State::Approved, true, ready), G::ReadyForBuyer);
        assert_eq!(guidance(seller, State::Approved, true, None), G::Printing);
        assert_eq!(guidance(Reader::Buyer, State::Declined, true, None), G::EndedForBuyer(State::Declined));
        assert_eq!(guidance(seller, State::Cancelled, true, None), G::EndedForSeller(State::Cancelled));
        assert_eq!(guidance(Reader::Officer, State::Expired, true, None), G::Ended(State::Expired));
        assert_eq!(guidance(Reader::Buyer, State::Approved, true, None), G::PrintingForBuyer);
        assert!(is_for_the_reader(G::Pay) && !is_for_the_reader(G::WaitForPayment));
        // Returned for a new scan: the seller's to do, the others wait.
        assert_eq!(guidance(seller, State::ReturnedForScan, true, None), G::Rescan);
        assert_eq!(guidance(Reader::Buyer, State::ReturnedForScan, true, None), G::WaitForRescan);
        assert_eq!(guidance(Reader::Officer, State::ReturnedForScan, true, None), G::WaitForRescan);
        assert!(is_for_the_reader(G::Rescan) && !is_for_the_reader(G::WaitForRescan));
        // A seller who pays on submitting pays before anyone else is asked.
        assert_eq!(guidance(seller, State::AwaitingSellerPayment, true, None), G::SellerPay);
        for other in [Reader::Buyer, Reader::Consenter { pending: true }, Reader::Officer, Reader::Onlooker] {
            assert_eq!(guidance(other, State::AwaitingSellerPayment, true, None), G::WaitForSellerPayment);
        }
        assert!(is_for_the_reader(G::SellerPay) && !is_for_the_reader(G::WaitForSellerPayment));
        assert_eq!(fee_paid(G::Answer), G::AnswerFeePaid);
        assert_eq!(fee_paid(G::WaitForBuyer), G::WaitForBuyer);
        assert!(is_for_the_reader(G::AnswerFeePaid));
    }
}
