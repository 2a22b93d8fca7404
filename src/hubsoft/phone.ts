/**
 * Caller ID -> the national form HubSoft stores (DDNNNNNNNN(N)) plus the other search terms
 * worth trying. Pure: no I/O, no config beyond what is passed in.
 */

export type PhoneKind = 'national' | 'special' | 'foreign' | 'withheld' | 'invalid';

export interface NormalisedPhone {
  readonly kind: PhoneKind;
  /** Canonical search term: national number, 0800-style number, or foreign digits. Absent when skipped. */
  readonly national?: string;
  /** Search terms in the order to try them; empty when the lookup must be skipped. */
  readonly candidates: readonly string[];
  /** Why the number is skipped (withheld/invalid). */
  readonly reason?: string;
}

export interface NormaliseOptions {
  /** DDD for 8-9 digit local caller IDs (lookup.defaultAreaCode). */
  readonly defaultAreaCode?: string;
  /** At most this many candidates (lookup.maxRequests). */
  readonly maxCandidates?: number;
}

/**
 * Brazilian area codes (DDD) in use, as in libphonenumber's BR metadata (Anatel plan);
 * test/hubsoft/phone.test.ts cross-checks this list against libphonenumber-js.
 */
export const BRAZIL_DDDS: ReadonlySet<string> = new Set(
  (
    '11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49 ' +
    '51 53 54 55 61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 81 82 83 84 85 86 87 88 89 ' +
    '91 92 93 94 95 96 97 98 99'
  ).split(' '),
);

const WITHHELD = /^(anonymous|anonimo|anônimo|withheld|unknown|unavailable|restricted|private|privado|restrito|desconhecido)$/i;
/** Separators people and trunks put in numbers. */
const SEPARATORS = /[\s().\-/]/g;

export function normalisePhone(raw: string, options: NormaliseOptions = {}): NormalisedPhone {
  const text = (raw ?? '').trim().replace(/^"+|"+$/g, '');
  if (!text || WITHHELD.test(text)) return skip('withheld', 'caller ID withheld or absent');
  // "0xx41 3333-4444": the written convention for "0 + any carrier + DDD" (the xx stands for the carrier code).
  const compact = text.replace(SEPARATORS, '').replace(/^0xx/i, '0');
  if (!/^\+?\d+$/.test(compact)) return skip('invalid', 'caller ID is not a phone number');
  const plus = compact.startsWith('+');
  const digits = plus ? compact.slice(1) : compact;
  if (/^0+$/.test(digits)) return skip('withheld', 'caller ID is all zeros');
  const max = Math.max(1, options.maxCandidates ?? 4);

  if (plus) {
    const rest = digits.startsWith('55') ? digits.slice(2) : null;
    if (rest && (rest.length === 10 || rest.length === 11)) return national(rest, max);
    return foreign(digits, max);
  }

  const special = /^0?([3589]00\d{7})$/.exec(digits);
  if (special) return build('special', `0${special[1]}`, [`0${special[1]}`, special[1]!], max);

  // 00 + carrier + country code: international call.
  const international = /^00\d{2}(\d{7,15})$/.exec(digits);
  if (international) {
    const rest = international[1]!;
    if (rest.startsWith('55') && (rest.length === 12 || rest.length === 13)) return national(rest.slice(2), max);
    return foreign(rest, max);
  }
  // 55 + 10-11 digits. An 11-digit number starting 55 is DDD 55 (Rio Grande do Sul), handled below.
  if (digits.startsWith('55') && (digits.length === 12 || digits.length === 13)) return national(digits.slice(2), max);
  // 0 + carrier (2 digits) + DDD + number, as trunks send long-distance calls.
  if (digits.startsWith('0') && (digits.length === 13 || digits.length === 14)) return national(digits.slice(3), max);
  // 0 + DDD + number.
  if (digits.startsWith('0') && (digits.length === 11 || digits.length === 12)) return national(digits.slice(1), max);
  if (digits.length === 10 || digits.length === 11) return national(digits, max);
  if (digits.length === 8 || digits.length === 9) {
    const ddd = options.defaultAreaCode;
    if (!ddd) return skip('invalid', 'local number without DDD and no lookup.defaultAreaCode configured');
    return national(`${ddd}${digits}`, max);
  }
  if (digits.length > 11) return foreign(digits, max);
  return skip('invalid', `caller ID has ${digits.length} digits: not a subscriber number`);
}

function national(number: string, max: number): NormalisedPhone {
  const ddd = number.slice(0, 2);
  const local = number.slice(2);
  if (!BRAZIL_DDDS.has(ddd)) return skip('invalid', `DDD ${ddd} does not exist`);
  if (local.length === 9 && local[0] !== '9') return skip('invalid', `${number}: 9-digit local numbers are mobiles and start with 9`);
  if (local.length === 8 && !/^[2-9]/.test(local)) return skip('invalid', `${number}: local number cannot start with ${local[0]}`);
  const candidates = [number];
  if (local.length === 9) {
    // Records typed before the 9th digit (2012-2016) hold the 8-digit mobile.
    candidates.push(`${ddd}${local.slice(1)}`);
  } else if (/^[6-9]/.test(local)) {
    candidates.push(`${ddd}9${local}`);
  }
  // Forms a provider may have typed: with the trunk prefix 0, or without the DDD.
  candidates.push(`0${number}`, local);
  return build('national', number, candidates, max);
}

function foreign(digits: string, max: number): NormalisedPhone {
  return build('foreign', digits, [digits], max);
}

function build(kind: PhoneKind, canonical: string, candidates: string[], max: number): NormalisedPhone {
  return { kind, national: canonical, candidates: [...new Set(candidates)].slice(0, max) };
}

function skip(kind: 'withheld' | 'invalid', reason: string): NormalisedPhone {
  return { kind, candidates: [], reason };
}

/**
 * Whether a phone stored in HubSoft (telefone_primario/secundario/terciario, as typed) is the caller's number:
 * the same national number (a mobile with or without its ninth digit), a stored number without DDD read under
 * `defaultAreaCode`, or, for 0800 and foreign callers, the same digits. `caller` is normalisePhone(...).national.
 */
export function isSamePhone(caller: string, stored: string, defaultAreaCode?: string): boolean {
  const callerKey = phoneKey(caller);
  // A field may hold several numbers ("37 3221-8000 / 37 99991-2222").
  return stored.split(/[,;/|]|\s+(?:ou|e)\s+/i).some((part) => {
    if (part.replace(/\D/g, '') === caller) return true;
    const national = normalisePhone(part, { defaultAreaCode, maxCandidates: 1 }).national;
    return national !== undefined && phoneKey(national) === callerKey;
  });
}

/** One key per line: a mobile's 9-digit and old 8-digit forms share one (DDD + last 8 digits);
 * 8-digit mobiles began with 6-9, so a 9-digit number past that range never had an 8-digit form. */
function phoneKey(national: string): string {
  if (!/^\d{10,11}$/.test(national)) return national;
  const local = national.slice(2);
  return local.length === 9 && /^9[6-9]/.test(local) ? `${national.slice(0, 2)}${local.slice(1)}` : national;
}
