import { z } from 'zod';

/** Field types every config section shares: the messages say what is expected, in plain words. */
export const url = z
  .string()
  .refine((value) => /^https?:\/\/[^\s/]+/i.test(value), 'must be an https:// or http:// URL')
  .transform((value) => value.replace(/\/+$/, ''));

export const port = z.coerce.number().int().min(1, 'must be a TCP port (1-65535)').max(65535, 'must be a TCP port (1-65535)');
/** A listening port; 0 picks a free one (tests). */
export const listenPort = z.coerce.number().int().min(0, 'must be a TCP port (0-65535)').max(65535, 'must be a TCP port (0-65535)');
export const ms = (fallback: number) => z.coerce.number().int().nonnegative('must be a number of milliseconds').default(fallback);
export const seconds = (fallback: number) => z.coerce.number().int().nonnegative('must be a number of seconds').default(fallback);
export const nonEmpty = (what: string) => z.string({ error: `is required (${what})` }).min(1, `is required (${what})`);

export const regex = z.string().refine((value) => {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');
