import type { ExtensionsConfig } from '../config/schema.js';

/** Who HubSoft should open the window for: its `ramal` or its `identificador_interno`. */
export type HubsoftTarget = { readonly ramal: string } | { readonly identificador_interno: string };

/**
 * Extension -> HubSoft user. By default the ramal is the extension number; the `extensions`
 * config section may give another ramal, an identificador_interno, or exclude the extension.
 */
export function resolveTarget(extensions: ExtensionsConfig, extension: string): HubsoftTarget | null {
  const entry = extensions[extension];
  if (entry?.exclude) return null;
  if (entry?.identificador_interno) return { identificador_interno: entry.identificador_interno };
  if (entry?.ramal) return { ramal: entry.ramal };
  return /^\d+$/.test(extension) ? { ramal: extension } : { identificador_interno: extension };
}
