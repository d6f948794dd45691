-- Signing keys by algorithm: RS256 signs ID tokens, ES256 signs access
-- tokens (many more of them, and an ECDSA P-256 signature costs a small
-- fraction of an RSA one). For an ES256 key, private_pem holds the PKCS#8
-- document in base64 and n, e hold the public point's x and y (base64url).
ALTER TABLE sso_keys ADD COLUMN alg TEXT NOT NULL DEFAULT 'RS256';
