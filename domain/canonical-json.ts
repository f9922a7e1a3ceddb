/** JSON with object keys sorted, so equal data gives equal text whatever its key order. */
export const canonicalJson = (value: unknown): string | undefined =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
