import { crc32 } from 'node:zlib';

/**
 * One journal line: `<crc32 of the JSON, 8 lowercase hex digits> <JSON>\n`.
 * The checksum catches a torn or scribbled line; the newline marks a line as complete.
 * Pure: no I/O here, so replay can be tested on plain buffers.
 */

export const JOURNAL_VERSION = 1;

import type { DeliveryKind } from './request.js';

export type OutboxKind = DeliveryKind;
/** The adapter's request name ('notificar', 'cancelar', ...). */
export type OutboxRoute = string;
const MAX_ROUTE_LENGTH = 64;

export interface OutboxRecord {
  /** Unique and increasing in append order: `${epochMs}-${seq}`. */
  readonly id: string;
  readonly kind: OutboxKind;
  /** The adapter's ordering key (HubSoft: ramal/identificador_interno + telefone): the dispatcher's lane. */
  readonly key: string;
  /** Clock time of the event behind the request; expiry counts from here. */
  readonly createdAt: number;
  readonly route: OutboxRoute;
  /** The adapter's JSON body, e.g. HubSoft's { ramal, telefone, id_cliente }. */
  readonly body: unknown;
}

export type JournalEntry =
  | { readonly t: 'hdr'; readonly v: number }
  | ({ readonly t: 'rec' } & OutboxRecord)
  | { readonly t: 'ack'; readonly id: string; readonly why?: 'expired' };

export const MAX_ID_LENGTH = 128;

const NEWLINE = 0x0a;
const SPACE = 0x20;
const HEX8 = /^[0-9a-f]{8}$/;

export function encodeEntry(entry: JournalEntry): Buffer {
  const json = Buffer.from(JSON.stringify(entry), 'utf8');
  const crc = crc32(json).toString(16).padStart(8, '0');
  const line = Buffer.allocUnsafe(9 + json.length + 1);
  line.write(crc, 0, 'latin1');
  line[8] = SPACE;
  json.copy(line, 9);
  line[line.length - 1] = NEWLINE;
  return line;
}

export type DecodeResult = { readonly ok: true; readonly entry: JournalEntry } | { readonly ok: false; readonly reason: string };

/** Decodes one line without its newline. Never throws. */
export function decodeLine(line: Buffer): DecodeResult {
  if (line.length < 11 || line[8] !== SPACE) return { ok: false, reason: 'not a journal line' };
  const crcText = line.toString('latin1', 0, 8);
  if (!HEX8.test(crcText)) return { ok: false, reason: 'bad checksum field' };
  const json = line.subarray(9);
  if (crc32(json) !== Number.parseInt(crcText, 16)) return { ok: false, reason: 'checksum mismatch' };
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  const entry = toEntry(value);
  return entry ? { ok: true, entry } : { ok: false, reason: 'unknown entry shape' };
}

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;
}

/** Checks the shape of a record (from disk or from a caller). Returns a reason, or null when valid. */
export function recordProblem(value: Partial<Record<keyof OutboxRecord, unknown>>): string | null {
  if (!isValidId(value.id)) return `id must be a string of 1..${MAX_ID_LENGTH} characters`;
  if (value.kind !== 'notify' && value.kind !== 'cancel') return 'kind must be "notify" or "cancel"';
  if (typeof value.route !== 'string' || value.route === '' || value.route.length > MAX_ROUTE_LENGTH) return `route must be a string of 1..${MAX_ROUTE_LENGTH} characters`;
  if (typeof value.key !== 'string' || value.key === '') return 'key must be a non-empty string';
  if (typeof value.createdAt !== 'number' || !Number.isFinite(value.createdAt)) return 'createdAt must be a finite number';
  return null;
}

function toEntry(value: unknown): JournalEntry | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  switch (v.t) {
    case 'hdr':
      return typeof v.v === 'number' ? { t: 'hdr', v: v.v } : null;
    case 'ack':
      if (!isValidId(v.id)) return null;
      return v.why === 'expired' ? { t: 'ack', id: v.id, why: 'expired' } : { t: 'ack', id: v.id };
    case 'rec': {
      if (recordProblem(v) !== null) return null;
      return {
        t: 'rec',
        id: v.id as string,
        kind: v.kind as OutboxKind,
        key: v.key as string,
        createdAt: v.createdAt as number,
        route: v.route as OutboxRoute,
        body: v.body,
      };
    }
    default:
      return null;
  }
}

/** The epoch-ms part of an id made by this module, or null for any other id. */
export function idMillis(id: string): number | null {
  const dash = id.indexOf('-');
  if (dash <= 0) return null;
  const ms = Number(id.slice(0, dash));
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : null;
}
