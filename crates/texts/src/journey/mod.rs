//! The words of the registry's journeys, a question a page: selling a
//! vehicle, the seller's steps, the buyer's and the consenters' answers,
//! the code pages, the notices that confirm a step, and what a transfer's
//! page tells its reader to do next (from [`Guidance`]).
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. It must
//! not know a page's markup or route.

mod en;
mod sw;

use domain::guidance::Guidance;

use crate::catalogue;

catalogue! {
    /// A text of one of the registry's journeys.
    pub enum Journey<'a> in (en::render, sw::render) {
        // What every question page may say.
        Back,
        Change,
        Continue,
        Confirm,
        Details,
        // Selling a vehicle.
        SellAVehicle,
        SellVehicle { reg_no: &'a str },
        WhichVehicle,
        WhoIsBuying,
        BuyerKindHint,
        BuyerIsAPerson,
        BuyerIsAnOrganisation,
        ChooseBuyerKind,
        WhatIsTheBuyersId,
        WhatIsTheBuyersPin,
        BuyerMustHaveSignedIn,
        IdDocument,
        IdDocumentNumber,
        IdNumberHint,
        KraPin,
        KraPinHint,
        CheckBeforeStarting,
        Buyer,
        BuyersName,
        FeePaidByBuyer { amount_cents: i64 },
        /// The seller pays on submitting (or paid already).
        FeePaidBySeller { amount_cents: i64 },
        AfterStarting,
        OthersMustConsent { n: usize },
        StartTheTransfer,
        // The seller's steps.
        UploadTheScan,
        ScanWhatToSend,
        UploadAnotherScan,
        CheckAndSubmit,
        CheckBeforeSubmitting,
        SubmitWhatHappens,
        ScanUploaded,
        ScanUploadedBySeller,
        SendMeTheCode,
        CodeToSubmit,
        CancelThisTransfer,
        SureToCancel { reg_no: &'a str },
        CancelWhatHappens { buyer: &'a str },
        CannotBeUndone,
        YesCancel,
        NoKeepIt,
    }
}

catalogue! {
    /// A text of the buyer's and the consenters' answers, and of the code page.
    pub enum Answering<'a> in (en::render_answering, sw::render_answering) {
        // Answering.
        DoYouAccept { reg_no: &'a str, seller: &'a str },
        DoYouAgree { reg_no: &'a str, buyer: &'a str },
        TheVehicle { vehicle: &'a str },
        IfYouAccept { amount_cents: i64 },
        /// The fee is paid already (by the seller, or kept from before).
        FeeAlreadyPaid,
        AsOwnerYouMustAgree,
        YesAccept,
        NoDecline,
        YesApprove,
        NoRefuse,
        ChooseAnAnswer,
        WhatIsYourPostalAddress,
        AddressWhy,
        WhereWillYouCollect,
        OfficeHint,
        CheckYourAnswer,
        YourAnswer,
        FeePaidNext { amount_cents: i64 },
        DeclineEnds,
        RefuseEnds,
        SendCodeToAccept,
        SendCodeToDecline,
        SendCodeToApprove,
        SendCodeToRefuse,
        CodeToAccept,
        CodeToDecline,
        CodeToApprove,
        CodeToRefuse,
        // The code page.
        WeSentACode { phone: &'a str },
        NewCodeSent,
        SendANewCode,
    }
}

catalogue! {
    /// What a transfer's page says of its progress: what to do next, and the panel after a step.
    pub enum Progress<'a> in (en::render_progress, sw::render_progress) {
        // A transfer's page.
        WhatYouNeedToDo,
        WhatHappensNext,
        YourReference { reference: &'a str },
        /// What the reader must do or waits for; the dates as people write
        /// them (empty when unknown), the fee in cents.
        Guide { guidance: Guidance, by: &'a str, review_by: &'a str, office: &'a str, ready: &'a str, fee: i64 },
        OfficersReason { reason: &'a str },
        AnswerTheRequest,
        AcceptOrDecline,
        PayFee { amount_cents: i64 },
        ReviewIt,
        SeeTheReceipt,
        // The panel after a step.
        NoticeStarted,
        NoticeUploaded,
        NoticeSubmitted,
        NoticeConsented,
        NoticeRefused,
        NoticeAccepted,
        NoticeDeclined,
        NoticeCancelled,
        NoticePaid,
        NoticeReviewed,
        NoticeRecorded,
    }
}
