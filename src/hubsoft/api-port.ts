import type { SearchParams } from './client.js';

/** What the self-service routes need from HubSoft (HubsoftClient and the metered wrapper fit). */
export interface HubsoftApi {
  get(path: string, searchParams?: SearchParams): Promise<Record<string, unknown>>;
  post(path: string, json: unknown): Promise<Record<string, unknown>>;
}
