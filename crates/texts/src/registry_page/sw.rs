//! The registry's page copy in Kiswahili: plain words, as a clerk at a
//! Huduma Centre would say them. "Logbook" stays as people say it.

use super::RegistryPage as P;

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::NotFoundTitle => s("Haipatikani"),
        P::Done => s("Imekamilika."),
        P::SignInNotStartedHere => {
            s("Kuingia huku hakukuanzishwa kwenye kivinjari hiki: anza tena kutoka ukurasa wa kuingia")
        }
        P::SignInAnswerWithoutState => s("Jibu la kuingia halina hali (state)"),
        P::SignInExpired => s("Muda wa kuingia huku umekwisha au tayari umetumika: anza tena"),
        P::SignInIncomplete { why } => format!("Kuingia hakukukamilika: {why}"),
        P::NotAMember { kra_pin } => format!(
            "Wewe si mwanachama wa shirika lenye KRA PIN {kra_pin}: liongeze kwenye akaunti yako ya kuingia kwanza"
        ),
        P::TokenUncheckable => {
            s("Huduma ya kuingia haipatikani kwa sasa ili kukagua tokeni. Jaribu tena baada ya dakika moja.")
        }
        P::ProviderAnsweredWrongly { why } => {
            format!("Huduma ya kuingia haikujibu inavyopaswa ({why}); jaribu tena baada ya dakika moja")
        }
        P::ColRegistration => s("Usajili"),
        P::ColVehicle => s("Gari"),
        P::ColHeldBy => s("Linamilikiwa na"),
        P::ColAs => s("Kama"),
        P::ColStatus => s("Hali"),
        P::ColReference => s("Kumbukumbu"),
        P::ColState => s("Hatua"),
        P::ColAge => s("Umri"),
        P::ColReviewDue => s("Ukaguzi kufikia"),
        P::HeldByYou => s("Wewe"),
        P::Days { n } => format!("siku {n}"),
        P::ReviewBacklog { waiting, oldest_days } => {
            format!("Uhamisho {waiting} unasubiri; wa zamani zaidi umesubiri siku {oldest_days}.")
        }
        P::Year => s("Mwaka"),
        P::Class => s("Aina"),
        P::Engine => s("Injini"),
        P::Chassis => s("Chasisi"),
        P::EngineNumber => s("Nambari ya injini"),
        P::LogbookSerial => s("Nambari ya logbook"),
        P::Owner => s("Mmiliki"),
        P::Financier => s("Mkopeshaji"),
        P::AnIndividual => s("Mtu binafsi"),
        P::SmsCode => s("Nambari ya SMS"),
        P::UploadScanStep => s("1. Pakia nakala ya logbook"),
        P::ScannedLogbook => s("Nakala ya logbook"),
        P::Upload => s("Pakia"),
        P::CodeStep => s("2. Uthibitisho wa usalama"),
        P::SendMeACode => s("Nitumie nambari"),
        P::SubmitStep => s("3. Wasilisha uhamisho"),
        P::Submit => s("Wasilisha"),
        P::Approve => s("Kubali"),
        P::Refuse => s("Kataa"),
        P::AddressExample => s("Kwa mfano S.L.P. 12345-00100 Nairobi"),
        P::AcceptAndPay => s("Kubali na ulipe"),
        P::Decline => s("Kataa"),
        P::PayNow => s("Lipa sasa"),
        P::CancelIt => s("Ghairi"),
        P::Reject => s("Kataa"),
        P::Reason => s("Sababu"),
        P::RecordIt => s("Rekodi"),
        P::TimelineSystem => s("mfumo wa tims"),
        P::UploadUnreadable => s("Faili lililopakiwa halikuweza kusomwa: jaribu tena"),
        P::FileTooLarge { mb } => format!("Faili ni kubwa mno: lisizidi MB {mb}"),
        P::NoSuchStep => s("Hatua hiyo haipo"),
    }
}
