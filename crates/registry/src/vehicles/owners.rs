//! The one writer of a vehicle's owners (`reg_vehicle_owners`): owners put
//! on the register with the vehicle, and the hand-over to a buyer when a
//! transfer is approved. Each change is journalled in its transaction as the
//! owners the vehicle now has.
//!
//! It knows nothing of transfers but the identifier a hand-over comes from.

use db::WriteTx;
use domain::OwnerRole;

use crate::Error;
use crate::journal::{self, Entry, Holding, Who};

/// The owners of a vehicle as they stand in the transaction, sorted.
pub async fn current(tx: &mut WriteTx, vehicle_id: &str) -> Result<Vec<(String, OwnerRole)>, Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT party_id, role FROM reg_vehicle_owners WHERE vehicle_id = $1")
            .bind(vehicle_id)
            .fetch_all(&mut **tx)
            .await?;
    let mut owners = rows
        .into_iter()
        .map(|(party, role)| {
            OwnerRole::parse(&role)
                .map(|r| (party, r))
                .map_err(|e| Error::Internal(format!("stored owner role: {}", e.message)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    owners.sort();
    Ok(owners)
}

/// The first owners of a vehicle just put on the register.
pub(super) async fn register(
    tx: &mut WriteTx,
    vehicle_id: &str,
    holders: &[(String, OwnerRole)],
    now: i64,
) -> Result<(), Error> {
    for (party, role) in holders {
        insert(tx, vehicle_id, party, *role, now).await?;
    }
    let owners = holders.iter().map(|(party, role)| Holding { party: party.clone(), role: *role }).collect();
    let entry = Entry::OwnersSet { vehicle: vehicle_id.to_string(), transfer: None, owners };
    journal::write(tx, now, None, None, &entry).await
}

/// In an approval's transaction: the buyer becomes the vehicle's only
/// owner (a financier who consented has released it), under a new logbook
/// serial; the vehicle's version moves on, so a transfer opened on the old
/// owner list is refused.
pub async fn hand_over(
    tx: &mut WriteTx,
    vehicle_id: &str,
    buyer_id: &str,
    serial: &str,
    transfer_id: &str,
    who: Who<'_>,
    now: i64,
) -> Result<(), Error> {
    sqlx::query("DELETE FROM reg_vehicle_owners WHERE vehicle_id = $1").bind(vehicle_id).execute(&mut **tx).await?;
    insert(tx, vehicle_id, buyer_id, OwnerRole::Owner, now).await?;
    let changed = sqlx::query(
        "UPDATE reg_vehicles SET logbook_serial = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(serial)
    .bind(now)
    .bind(vehicle_id)
    .execute(&mut **tx)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(Error::Internal("vehicle missing at approval".into()));
    }
    let entry = Entry::OwnersSet {
        vehicle: vehicle_id.to_string(),
        transfer: Some(transfer_id.to_string()),
        owners: vec![Holding { party: buyer_id.to_string(), role: OwnerRole::Owner }],
    };
    journal::write(tx, now, Some(who), None, &entry).await
}

async fn insert(tx: &mut WriteTx, vehicle_id: &str, party: &str, role: OwnerRole, now: i64) -> Result<(), Error> {
    sqlx::query("INSERT INTO reg_vehicle_owners (vehicle_id, party_id, role, since) VALUES ($1, $2, $3, $4)")
        .bind(vehicle_id)
        .bind(party)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
