//! The sign-on's page copy: titles, leads, field labels and hints, buttons,
//! links, notices and the words of its error and OpenID Connect pages.
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. Texts
//! both parts show (the error summary's title, "Go to your account") stay in
//! [`Page`](crate::Page). It must not know a page's markup or route: the
//! sign-on's handlers and templates place these texts.

mod en;
mod sw;

use domain::org::{OrgKind, OrgRole};
use domain::{AccountType, DatePartsRefusal};

use crate::catalogue;

catalogue! {
    /// A text on one of the sign-on's pages, with what it says.
    pub enum SignOnPage<'a> in (en::render, sw::render) {
        // Signing in and out.
        SignInTitle,
        YouAreA,
        /// A choice of the "You are a" list.
        AccountTypeChoice { account_type: AccountType },
        IdOrPassport,
        Password,
        Continue,
        CreateAnAccount,
        ForgotPassword,
        /// The way out of the delays after failed sign-ins.
        RecoverInstead,
        CheckYourPhone,
        CodeSentToVerify { phone: &'a str },
        EnterSignInCode,
        CodeSentTo { phone: &'a str },
        CodeWorksFiveMinutes,
        Code,
        SendNewCode,
        NewCodeOnItsWay,
        SignOutQuestion,
        ServiceAskedSignOut,
        SignOut,
        // Registering.
        RegisterLead,
        IdNumberHint,
        DateOfBirth,
        DateOfBirthHint,
        MobileNumber,
        MobileNumberHint,
        EmailOptional,
        PasswordAgain,
        PasswordHint,
        SmsAlertsOptIn,
        CreateAccount,
        HaveAccount,
        // Recovering an account.
        RecoverTitle,
        RecoverLead,
        SendACode,
        BackToSignIn,
        NewPasswordTitle,
        RecoverCodeLead,
        RecoverNoCode,
        NewPassword,
        NewPasswordAgain,
        ChangePassword,
        StartAgain,
        // Preferences and organisations.
        SmsAlertsTitle,
        SmsAlertsLead,
        Save,
        BackToAccount,
        AddOrgTitle,
        AddOrgLead,
        AddOrgDirector,
        OrgPinLabel,
        OrgPinHint,
        AddOrg,
        // The date of birth in three boxes, and the way back to the registry.
        /// The box of a date's day.
        DateDay,
        /// The box of a date's month.
        DateMonth,
        /// The box of a date's year.
        DateYear,
        /// The link from the sign-on's pages to the vehicle registry.
        GoToRegistry,
    }
}

catalogue! {
    /// A notice, an error page's words or an OpenID Connect page's, on the
    /// sign-on's pages.
    pub enum SignOnMessage in (en::render_message, sw::render_message) {
        // Notices of what was just done.
        OrgRequested,
        MemberSaved,
        PasswordChanged,
        SignedOut,
        // Error pages.
        PageNotFound,
        PleaseWait,
        ServiceProblem,
        FormNotAccepted,
        /// Development only: why a script's form meets the CSRF refusal.
        DevCookies,
        FormUnreadableTitle,
        SendFormFromPage,
        // OpenID Connect pages.
        SignOutRequestUnusable,
        SignedOutTitle,
        CloseWindow,
        SignInAgain,
        BrokenSignInLink,
        UnreadableRequest,
        SignInRequestUnusable,
        GoBackToService,
        // The development SMS page.
        DevSmsTitle,
        /// Followed by the address of the JSON.
        DevSmsLead,
        /// What `?to=` asks for.
        DevSmsOnePhone,
        DevSmsTo,
        DevSmsFor,
        DevSmsAbout,
        DevSmsMessage,
        // The end of a registration, and a date of birth refused.
        /// The notice of an account just made, its phone checked.
        AccountCreated,
        /// The notice of a new code sent to a sign-in under way.
        CodeResent,
        /// What is wrong with a date of birth typed in three boxes.
        DateOfBirthRefused { refusal: DatePartsRefusal },
    }
}

catalogue! {
    /// A text of the account's own pages: its home page and, for an
    /// organisation's administrators, the organisation's members.
    pub enum SignOnAccount<'a> in (en::render_account, sw::render_account) {
        YourAccount,
        AccountTypeRow,
        /// The kind of account, as the home page names it.
        AccountTypeName { account_type: AccountType },
        /// The document an account is identified by.
        DocumentName { account_type: AccountType },
        Mobile,
        Verified,
        Subscribed,
        NotSubscribed,
        Change,
        Organisations,
        NoOrgs,
        OrgColumn,
        KraPinColumn,
        YourRole,
        WaitingApproval,
        AddOrgByPin,
        RoleName { role: OrgRole },
        OrgKindName { kind: OrgKind },
        OrgLead { kra_pin: &'a str },
        Person,
        StatusAndRole,
        ChangeColumn,
        AsksToJoin,
        IdOf { id_number: &'a str },
        Role,
        RemoveFromOrg,
        RefuseRequest,
        Decide,
    }
}
