import { ConfigurationError } from '../domain/errors.js';

/** Reads one required environment variable; call it at module load so a bad deploy fails fast. */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is not set`);
  }
  return value;
};
