//! An account's preferences: whether the person takes transaction alerts
//! by SMS. It knows nothing of signing in.

use crate::{Error, Sso};

/// Take, or stop taking, transaction alerts by SMS.
#[tracing::instrument(skip_all, fields(account_id))]
pub async fn set_sms_alerts(sso: &Sso, account_id: &str, on: bool) -> Result<(), Error> {
    sso.db()
        .execute_write(
            sqlx::query("UPDATE sso_accounts SET sms_alerts = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(on))
                .bind(sso.now_ms())
                .bind(account_id),
        )
        .await?;
    Ok(())
}
