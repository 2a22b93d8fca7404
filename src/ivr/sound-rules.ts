import { safeSoundName } from './sanitize.js';

/** One configured rule: alert text matching `match` (case-insensitive) plays `sound`. */
export interface SoundRuleConfig {
  readonly match: string;
  readonly sound: string;
}

interface CompiledRule {
  readonly pattern: RegExp;
  readonly sound: string;
}

/** Rules compiled once, in config order; the first match wins. */
export interface SoundRules {
  readonly size: number;
  soundFor(alertText: string): string | null;
}

/**
 * Compiles `alerts.sounds`. The schema already checked each regex and sound name; a rule whose sound
 * fails the whitelist here anyway is dropped rather than ever reaching the dialplan.
 */
export function compileSoundRules(rules: readonly SoundRuleConfig[]): SoundRules {
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    const sound = safeSoundName(rule.sound);
    if (sound === null) continue;
    // Same flags the schema validated with, plus `i`; never `g`/`y` (test() would carry lastIndex over).
    compiled.push({ pattern: new RegExp(rule.match, 'i'), sound });
  }
  return {
    size: compiled.length,
    soundFor(alertText: string): string | null {
      for (const rule of compiled) {
        if (rule.pattern.test(alertText)) return rule.sound;
      }
      return null;
    },
  };
}
