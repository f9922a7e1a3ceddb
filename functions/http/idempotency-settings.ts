/**
 * How `Idempotency-Key` requests are recognised and stored, as plain data without clients, so
 * that tests which wire the utility to a client of their own use exactly these settings.
 */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** Options of Powertools' IdempotencyConfig (the response hook aside). */
export const IDEMPOTENCY_CONFIG_OPTIONS = {
  // Scoped to the caller and the route; no key header, no idempotency (JMESPath `&&`).
  eventKeyJmesPath:
    'headers."idempotency-key" && [requestContext.authorizer.jwt.claims.sub, routeKey, rawPath, headers."idempotency-key"]',
  payloadValidationJmesPath: 'body',
  throwOnNoIdempotencyKey: false,
  expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
} as const;
