//! The API's reads of the register: who the caller is, the fee schedule and
//! quotes, the caller's vehicles and inquiry by registration number.

use axum::Json;
use axum::extract::{Path, Query, State};
use texts::{ApiText, Text as _};

use super::schema::{ActionPage, Backlog, Fees, HeldVehicle, Me, Quote, VehiclePage};
use super::{Caller, MaybeCaller, PageQuery, SearchQuery};
use crate::http::API_LANG;
use crate::transfers;
use crate::transfers::today_eat;
use crate::vehicles::{self, Inquiry, Whose};
use crate::{Error, FieldErrors, Registry};

type ApiResult<T> = Result<Json<T>, Error>;

#[utoipa::path(get, path = "/api/v1/me", tag = "vehicles",
    summary = "Who the caller is, their organisations and staff role",
    responses((status = 200, description = "The caller", body = Me)))]
pub async fn me(Caller(a): Caller) -> ApiResult<Me> {
    Ok(Json(Me {
        name: a.person.name.clone(),
        id_type: a.person.doc_type.clone(),
        id_number: a.person.doc_number.clone(),
        staff_role: a.staff.map(|s| s.as_str()),
        organisations: a.memberships.clone(),
        acting_for: a.acting_for.clone(),
    }))
}

#[utoipa::path(get, path = "/api/v1/fees", tag = "fees", summary = "The fee schedules in force and loaded",
    description = "Public, no token needed: the transfer fee schedule is gazetted. A token sent anyway must be valid.",
    responses((status = 200, description = "The fee schedules", body = Fees)),
    security(()))]
pub async fn fees(State(reg): State<Registry>) -> ApiResult<Fees> {
    let (fees, _) = reg.rules().await?;
    Ok(Json(Fees { schedules: fees.all().iter().map(Into::into).collect() }))
}

/// What a quote is for: a registered vehicle, or a class and its measure;
/// numbers as sent (the handler names a refused one).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    /// A registered vehicle (needs an access token); instead of `class`.
    #[param(
        pattern = "^(K[A-Z]{2} ?[0-9]{3}[A-Z]|KM[A-Z]{2} ?[0-9]{3}[A-Z]|GK ?([A-Z] ?)?[0-9]{3}[A-Z]|[1-9][0-9]{0,2} ?CD ?[1-9][0-9]{0,2}[A-Z]?)$",
        example = "KCB 123B"
    )]
    registration_number: Option<String>,
    /// The vehicle's class, when no `registration_number` is given.
    #[param(schema_with = super::schema::vehicle_class)]
    class: Option<String>,
    /// Engine capacity in cc (motor vehicles and motorcycles).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 100000)]
    engine_cc: Option<String>,
    /// Wheels on a trailer.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 64)]
    trailer_wheels: Option<String>,
    /// The day to price on, YYYY-MM-DD; default today (EAT).
    #[param(format = Date)]
    date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/fees/quote", tag = "fees", summary = "The transfer fee for a vehicle",
    description = "By class, engine_cc and trailer_wheels: public, no token needed (the schedule is gazetted). By \
                   registration_number: needs the sign-on's access token, since it reads the register; without one \
                   it answers 401. One of registration_number and class is needed; a class priced by a measure \
                   needs it (engine_cc, or trailer_wheels for a trailer).",
    params(QuoteQuery),
    responses((status = 200, description = "The fee", body = Quote)),
    security((), ("bearer" = [])))]
pub async fn quote(
    State(reg): State<Registry>,
    MaybeCaller(caller): MaybeCaller,
    Query(q): Query<QuoteQuery>,
) -> ApiResult<Quote> {
    let mut errors = FieldErrors::new();
    let date = match &q.date {
        Some(d) => errors.check("date", domain::Date::parse(d)),
        None => Some(today_eat(reg.now_ms())),
    };
    let query = if let Some(r) = &q.registration_number {
        // Whether a plate is registered is the register's to tell, to
        // those signed in; the schedule itself is public.
        if caller.is_none() {
            return Err(Error::SignInFor(ApiText::QuoteNeedsToken.render(API_LANG)));
        }
        let reg_no = vehicles::parse_registration(r)?;
        let v = vehicles::by_registration(&reg, &reg_no).await?.ok_or_else(|| {
            FieldErrors::single(
                "registration_number",
                ApiText::NoVehicleRegistered { reg_no: &reg_no.to_string() }.render(API_LANG),
            )
        })?;
        Some(v.fee_query()?)
    } else {
        let class = match &q.class {
            Some(c) => errors.check("class", domain::fees::VehicleClass::parse(c)),
            None => {
                errors.add("class", ApiText::GiveRegistrationOrClass.render(API_LANG));
                None
            }
        };
        let number = |errors: &mut FieldErrors, field: &str, raw: Option<&String>, max: u32| -> Option<u32> {
            let raw = raw?;
            match raw.trim().parse::<u32>() {
                Ok(n) if n <= max => Some(n),
                _ => {
                    errors.add(field, ApiText::WholeNumberUpTo { max }.render(API_LANG));
                    None
                }
            }
        };
        let engine_cc = number(&mut errors, "engine_cc", q.engine_cc.as_ref(), 100_000);
        let wheels = number(&mut errors, "trailer_wheels", q.trailer_wheels.as_ref(), 64);
        class.map(|class| domain::fees::FeeQuery {
            class,
            engine_cc,
            trailer_wheels: wheels.and_then(|w| u8::try_from(w).ok()),
        })
    };
    errors.into_result()?;
    let (Some(date), Some(query)) = (date, query) else {
        return Err(Error::Internal("checked above".into()));
    };
    let (fees, _) = reg.rules().await?;
    let fee = fees.quote_on(date, &query).map_err(|e| FieldErrors::single("vehicle", e.to_string()))?;
    Ok(Json(Quote {
        amount_cents: fee.amount_cents,
        amount: domain::fees::format_kes(fee.amount_cents),
        rule: fee.description,
        schedule: fee.schedule_version,
        date: date.to_string(),
    }))
}

#[utoipa::path(get, path = "/api/v1/vehicles", tag = "vehicles",
    summary = "The caller's vehicles and, when acting for an organisation, its vehicles too; or one organisation's",
    params(PageQuery, SearchQuery, OrganisationQuery),
    responses((status = 200, description = "A page of vehicles", body = VehiclePage)))]
pub async fn my_vehicles(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Query(q): Query<PageQuery>,
    Query(search): Query<SearchQuery>,
    Query(org): Query<OrganisationQuery>,
) -> ApiResult<VehiclePage> {
    let whose = match org.organisation.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(pin) => Whose::Organisation(pin),
        None => Whose::Mine,
    };
    let page = vehicles::mine(&reg, &a, whose, &q.page_request()?, &search.search(&a)?).await?;
    let vehicles = page
        .items
        .into_iter()
        .map(|h| HeldVehicle {
            vehicle: h.vehicle,
            your_role: h.role,
            held_by: h.organisation.unwrap_or_else(|| "you".into()),
            may_sell: h.may_sell,
        })
        .collect();
    Ok(Json(VehiclePage { vehicles, next: page.next }))
}

/// Whose vehicles: one organisation the caller belongs to.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// The KRA PIN of an organisation the caller belongs to (any role): its
    /// vehicles instead of the caller's; none (or empty) for the caller's.
    #[param(pattern = "^([AaPp][0-9]{9}[A-Za-z])?$")]
    organisation: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me/actions", tag = "vehicles",
    summary = "What waits for the caller (or the organisation they act for): transfers to submit, approve, answer or pay",
    description = "Soonest to expire first, a page at a time; for officers, how many transfers wait for review too.",
    params(PageQuery),
    responses((status = 200, description = "A page of what needs the caller's action", body = ActionPage)))]
pub async fn my_actions(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Query(q): Query<PageQuery>,
) -> ApiResult<ActionPage> {
    let page = transfers::needs_action(&reg, &a, &q.page_request()?).await?;
    let review = match a.is_staff() {
        true => {
            let (waiting, oldest) = transfers::review_backlog(&reg).await?;
            Some(Backlog { waiting, oldest_queued_at_ms: oldest })
        }
        false => None,
    };
    Ok(Json(ActionPage { actions: page.items, next: page.next, review }))
}

/// A vehicle, by its registration number.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Plate {
    /// e.g. `KAA 001A` (the space optional; lower case is taken too).
    #[param(
        pattern = "^(K[A-Z]{2} ?[0-9]{3}[A-Z]|KM[A-Z]{2} ?[0-9]{3}[A-Z]|GK ?([A-Z] ?)?[0-9]{3}[A-Z]|[1-9][0-9]{0,2} ?CD ?[1-9][0-9]{0,2}[A-Z]?)$",
        example = "KDA 001A"
    )]
    pub registration_number: String,
}

#[utoipa::path(get, path = "/api/v1/vehicles/{registration_number}", tag = "vehicles",
    summary = "Inquire by registration number: the whole record for owners and staff, a limited view for others",
    params(Plate),
    responses((status = 200, description = "The vehicle, as the caller may see it", body = Inquiry)))]
pub async fn inquire(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(Plate { registration_number }): Path<Plate>,
) -> ApiResult<Inquiry> {
    Ok(Json(vehicles::inquire(&reg, &a, &registration_number).await?))
}
