//! Who is asking, as the registry sees them for one request: the person
//! (their party, the organisations the provider says they belong to, their
//! staff role), the organisation they chose to act for, and the address the
//! request came from. It knows nothing of how they proved it (sessions,
//! Bearer tokens) or of HTTP.

use std::sync::Arc;

use domain::org::OrgRole;

use texts::{Lang, RegistryPage, Text as _};

use crate::parties::{self, Membership, Party, StaffRole};
use crate::{Error, Registry};

/// Who a person is to the registry: their party, the organisations the
/// provider says they belong to, and their staff role. Read once and shared
/// by the requests that follow for a few seconds (see
/// [`super::bearer::TokenCache`]).
#[derive(Debug)]
pub struct Identity {
    pub person: Party,
    pub memberships: Vec<Membership>,
    pub staff: Option<StaffRole>,
}

/// A person acting, as the registry sees them for one request: who they are
/// (`actor.person`, `actor.memberships`, `actor.staff` through the shared
/// [`Identity`]), whom they act for and where the request came from.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(super) identity: Arc<Identity>,
    /// The organisation chosen for this request, if any.
    pub acting_for: Option<Membership>,
    pub address: Option<String>,
}

impl std::ops::Deref for Actor {
    type Target = Identity;

    fn deref(&self) -> &Identity {
        &self.identity
    }
}

impl Actor {
    /// The party on whose behalf the request is made.
    pub fn principal_id(&self) -> &str {
        self.acting_for.as_ref().map_or(&self.person.id, |m| &m.org_id)
    }

    /// Whether the actor may change things for the principal (a viewer of an
    /// organisation may only look).
    pub fn may_transact(&self) -> bool {
        self.acting_for.as_ref().is_none_or(|m| matches!(m.role, OrgRole::Admin | OrgRole::Transactor))
    }

    pub fn is_staff(&self) -> bool {
        self.staff.is_some()
    }

    /// Choose the organisation to act for, by KRA PIN; `None` acts for oneself.
    /// A refusal is written in `lang`, the reader's.
    pub fn act_for(mut self, kra_pin: Option<&str>, lang: Lang) -> Result<Self, Error> {
        self.acting_for = match kra_pin.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(pin) => {
                let pin = pin.to_ascii_uppercase();
                Some(
                    self.memberships
                        .iter()
                        .find(|m| m.kra_pin == pin)
                        .cloned()
                        .ok_or_else(|| Error::Forbidden(RegistryPage::NotAMember { kra_pin: &pin }.render(lang)))?,
                )
            }
        };
        Ok(self)
    }
}

/// The actor behind a person's party, reading their memberships and staff
/// role.
pub(super) async fn actor_for(reg: &Registry, person_id: &str, address: Option<String>) -> Result<Actor, Error> {
    let person = parties::get(reg, person_id).await?.ok_or(Error::Unauthenticated)?;
    let memberships = parties::memberships(reg, person_id).await?;
    let staff = parties::staff_role(reg, person_id).await?;
    Ok(Actor { identity: Arc::new(Identity { person, memberships, staff }), acting_for: None, address })
}
