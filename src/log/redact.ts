/**
 * Masks secrets in a finished log line. Two nets: the configured secret strings in every form an upstream
 * echo can give them back (URL- and form-encoded, form-decoded, JSON-escaped), and any field named like a
 * secret, whatever its value and depth: JSON members, JSON quoted inside a string, form/query pairs and
 * Authorization schemes. Pino's own redact paths catch the structured fields; this catches free text.
 */
const CENSOR = '[redacted]';
const SECRET_NAMES = 'password|passwd|senha|client_secret|clientSecret|secret|authorization|access_token|refresh_token|token';

/** "password":"..." at any depth of the JSON line. */
const JSON_MEMBER = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*)(?:"(?:[^"\\\\]|\\\\.)*"|-?\\d[\\d.eE+-]*)`, 'gi');
/** \"password\":\"...\" : JSON held in a string value (an upstream body quoted in an error message). */
const QUOTED_JSON_MEMBER = new RegExp(`(\\\\"(?:${SECRET_NAMES})\\\\"\\s*:\\s*)\\\\"(?:(?!\\\\").)*\\\\"`, 'gi');
/** password=... in a form body or query string, plain or with the = and & percent-encoded. */
const FORM_PAIR = new RegExp(`(\\b(?:${SECRET_NAMES})(?:=|%3D))(?:(?!%26)[^&\\s"\\\\,;])*`, 'gi');
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+|%20|\+)[A-Za-z0-9._~+/=%-]+/g;
/** "Secret: ..." of an AMI Login frame quoted in a log line. */
const AMI_SECRET = /(Secret: )(?:(?!\\r|\\n)[^"\r\n])+/g;

/** Every spelling of `secret` an echo can produce. Forms shorter than 4 characters are skipped (too common). */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const encoded = encodeURIComponent(secret);
  forms.add(encoded);
  forms.add(encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  forms.add(new URLSearchParams([['', secret]]).toString().slice(1));
  forms.add(secret.replace(/\+/g, ' '));
  try {
    forms.add(decodeURIComponent(secret.replace(/\+/g, ' ')));
  } catch {
    // Not a valid percent-encoding: no decoded form.
  }
  for (const form of [...forms]) forms.add(JSON.stringify(form).slice(1, -1));
  return [...forms].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
}

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) for (const form of secretForms(secret)) out = out.split(form).join(CENSOR);
  return out;
}

/** Masks fields named like a secret, whatever their value. */
export function maskSecretFields(line: string): string {
  return line
    .replace(JSON_MEMBER, `$1"${CENSOR}"`)
    .replace(QUOTED_JSON_MEMBER, `$1\\"${CENSOR}\\"`)
    .replace(FORM_PAIR, `$1${CENSOR}`)
    .replace(AUTH_SCHEME, `$1$2${CENSOR}`)
    .replace(AMI_SECRET, `$1${CENSOR}`);
}

/** Builds the line filter for a logger: precomputes every form of the configured secrets once. */
export function lineRedactor(secrets: readonly string[]): (line: string) => string {
  const forms = [...new Set(secrets.filter((s) => s.length >= 4).flatMap(secretForms))].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(CENSOR);
    return maskSecretFields(out);
  };
}
