-- The language a sign-on account reads its SMS and pages in ("en", "sw"),
-- chosen by the person (the switch while signed in, the page's language at
-- registration); NULL for one who never chose: English. Given to relying
-- parties as the OpenID Connect `locale` claim.
ALTER TABLE sso_accounts ADD COLUMN lang TEXT;
