import PQueue from 'p-queue';
import type { HubsoftApi } from '../../hubsoft/api-port.js';

/** deps.api with at most `concurrency` requests at once: a burst of IVR callers cannot starve the ring path. */
export function limitedApi(api: HubsoftApi, concurrency: number): HubsoftApi {
  const queue = new PQueue({ concurrency });
  return {
    get: (path, searchParams) => queue.add(() => api.get(path, searchParams)),
    post: (path, json) => queue.add(() => api.post(path, json)),
  };
}
