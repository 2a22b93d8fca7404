/** CPF / CNPJ as typed on a keypad: digits only, check digits verified before any request leaves the bridge. Pure. */

export type DocumentKind = 'cpf' | 'cnpj';

/** The digits of `text` when they form a CPF (11) or CNPJ (14) with valid check digits; else null. */
export function validDocument(text: string): { kind: DocumentKind; digits: string } | null {
  const digits = String(text ?? '').replace(/\D/g, '');
  if (digits.length === 11 && isValidCpf(digits)) return { kind: 'cpf', digits };
  if (digits.length === 14 && isValidCnpj(digits)) return { kind: 'cnpj', digits };
  return null;
}

function isValidCpf(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
  const d = [...digits].map(Number);
  const check = (length: number): number => {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += d[i]! * (length + 1 - i);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  return check(9) === d[9] && check(10) === d[10];
}

function isValidCnpj(digits: string): boolean {
  if (!/^\d{14}$/.test(digits) || /^(\d)\1{13}$/.test(digits)) return false;
  const d = [...digits].map(Number);
  const check = (length: number): number => {
    let sum = 0;
    let weight = length - 7;
    for (let i = 0; i < length; i++) {
      sum += d[i]! * weight;
      weight = weight === 2 ? 9 : weight - 1;
    }
    const rest = sum % 11;
    return rest < 2 ? 0 : 11 - rest;
  };
  return check(12) === d[12] && check(13) === d[13];
}
