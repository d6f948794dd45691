//! Reading the form that carries the scanned logbook: multipart, its CSRF
//! token checked once it is read (the kit's `SignedForm` reads urlencoded
//! forms only), the file's size limited as it arrives.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use pagekit::FormPart as _;
use texts::{RegistryPage, Text as _};

use super::frame::{csrf_refused, message_page};
use crate::http::lang;
use crate::{Error, FieldErrors, Registry};

/// The scan's form: the file, if one was chosen.
pub struct UploadForm {
    pub file: Option<Vec<u8>>,
}

/// Why an upload's form was not taken.
pub enum UploadRefused {
    /// It could not be read: said beside the file field.
    Unreadable(Error),
    /// Its CSRF token does not match the browser's.
    Csrf,
}

/// (Handlers take `Result<UploadForm, UploadRefused>`, to say an unreadable
/// form beside its field; alone, it is an error page.)
impl IntoResponse for UploadRefused {
    fn into_response(self) -> Response {
        let lang = lang(&HeaderMap::new());
        match self {
            UploadRefused::Unreadable(e) => message_page(lang, None, e.status(), &e),
            UploadRefused::Csrf => csrf_refused(lang),
        }
    }
}

impl FromRequest<Registry> for UploadForm {
    type Rejection = UploadRefused;

    async fn from_request(req: Request, reg: &Registry) -> Result<Self, UploadRefused> {
        let headers = req.headers().clone();
        let lang = lang(&headers);
        let bad = |m: RegistryPage<'_>| UploadRefused::Unreadable(FieldErrors::single("logbook", m.render(lang)));
        let mut mp = Multipart::from_request(req, &()).await.map_err(|_| bad(RegistryPage::UploadUnreadable))?;
        let (mut csrf, mut file) = (None, None);
        while let Some(part) = mp.next_field().await.map_err(|_| bad(RegistryPage::UploadUnreadable))? {
            let name = part.name().unwrap_or_default().to_string();
            let too_large = RegistryPage::FileTooLarge { mb: (crate::scans::MAX_SCAN_BYTES >> 20) as u64 };
            let bytes = part.bytes().await.map_err(|_| bad(too_large))?;
            match name.as_str() {
                "logbook" => file = Some(bytes.to_vec()),
                pagekit::CSRF_FIELD => csrf = Some(String::from_utf8_lossy(&bytes).to_string()),
                _ => {}
            }
        }
        if !reg.csrf().check(&headers, csrf.as_deref()) {
            return Err(UploadRefused::Csrf);
        }
        Ok(Self { file: file.filter(|f| !f.is_empty()) })
    }
}
