//! The API's refusals in Kiswahili, for the developers and clerks who read
//! them: technical names (JSON, multipart, headers) stay as written.

use super::ApiText as A;

pub(super) fn render(m: &A<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        A::FieldsNeedAttention => s("Baadhi ya sehemu zinahitaji kurekebishwa"),
        A::NotPossibleNow => s("Haiwezekani sasa"),
        A::TooManyRequests => s("Maombi mengi mno"),
        A::SignInFirst => s("Ingia kwanza"),
        A::TokenRefused => s("Tokeni ya ufikiaji imekataliwa"),
        A::NotAllowed => s("Hairuhusiwi"),
        A::NotFound => s("Haipatikani"),
        A::Unavailable => s("Haipatikani kwa sasa"),
        A::SomethingWentWrong => s("Kuna hitilafu"),
        A::TryAgainInAMoment => s("Jaribu tena baada ya muda mfupi"),
        A::SendAccessToken => s("Tuma tokeni ya ufikiaji ya huduma ya kuingia kama `Authorization: Bearer …`"),
        A::TokenRefusedBecause { why } => format!("Tokeni ya ufikiaji imekataliwa: {why}"),
        A::NoSuchEndpoint => s("Anwani hii ya API haipo"),
        A::MethodNotAllowed => s("Anwani hii haipokei njia (method) hiyo: kichwa Allow kinaorodhesha zile inazopokea"),
        A::BodyTooLarge { mb } => format!("Maudhui ya ombi ni makubwa mno: yasizidi MB {mb}"),
        A::ScanMediaType => s("Tuma skani kama application/pdf, image/jpeg, image/png au application/octet-stream, \
                               au kama multipart/form-data yenye sehemu moja ya faili iitwayo logbook"),
        A::ExpectedObject => s("Ilitarajiwa object ya JSON, imepokelewa array"),
        A::NotJson { why } => format!("Maudhui ya ombi si JSON: {why}"),
        A::NotJsonTrailing => s("Maudhui ya ombi si JSON: yanaendelea baada ya thamani"),
        A::UnknownFieldNone => s("Sehemu isiyojulikana: ombi hili halipokei sehemu yoyote"),
        A::UnknownField { accepted } => format!("Sehemu isiyojulikana: ombi hili linapokea {accepted}"),
        A::Required => s("Inahitajika"),
        A::Expected { expected, got } => format!("Ilitarajiwa {expected}, imepokelewa {got}"),
        A::MultipartUnreadable { why } => format!("Fomu ya multipart haikuweza kusomwa: {why}"),
        A::UnknownPart => s("Sehemu isiyojulikana: tuma sehemu moja ya faili iitwayo logbook na si kingine"),
        A::OneLogbookPart => s("Tuma sehemu moja tu ya faili iitwayo logbook, si kadhaa"),
        A::LogbookPartMissing => s("Tuma skani ya logbook kama sehemu ya faili iitwayo logbook"),
        A::IdempotencyKeyFormat => s("Tuma herufi 1 hadi 255 za ASCII zinazoonekana"),
        A::IdempotencyKeyReused => {
            s("Ufunguo huu tayari umetumika kwa ombi tofauti: tumia ufunguo mpya kwa ombi jipya")
        }
        A::IdempotencyKeyRunning => s("Ombi lenye Idempotency-Key hii bado linashughulikiwa"),
        A::ActForAscii => s("Tuma PIN ya KRA kwa herufi za ASCII"),
        A::BuyerIdTypeOnlyForIndividuals => s("Ni kwa mnunuzi aliye mtu binafsi tu: usiitume kwa shirika"),
        A::SayApproveOrRefuse => s("Tuma true kukubali au false kukataa"),
        A::ChooseApproveOrReject => s("Chagua approve au reject"),
        A::QuoteNeedsToken => s("Bei kwa registration_number husoma sajili, kwa hivyo tuma tokeni ya ufikiaji ya \
                                 huduma ya kuingia kama `Authorization: Bearer …`; bei kwa class na engine_cc \
                                 (au trailer_wheels) haihitaji tokeni"),
        A::NoVehicleRegistered { reg_no } => format!("Hakuna gari {reg_no} lililosajiliwa"),
        A::GiveRegistrationOrClass => {
            s("Tuma registration_number, au class (motor_vehicle, motorcycle, trailer, tractor)")
        }
        A::WholeNumberUpTo { max } => format!("Andika nambari kamili kuanzia 0 hadi {max}"),
    }
}
