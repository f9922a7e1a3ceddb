import { ConfigurationError } from '../domain/errors.js';

/** Reads one required environment variable; call it at module load so a bad deploy fails fast. */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is not set`);
  }
  return value;
};

/** An optional positive integer setting with a default; a malformed value fails at load. */
export const positiveIntEnv = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new ConfigurationError(`Environment variable ${name} must be a positive integer`);
  }
  return parsed;
};
