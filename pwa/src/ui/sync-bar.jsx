// @ts-check
/**
 * Always on screen: how many taps wait to go up, how many the server refused (so a refused
 * tap does not just vanish from the roster), when the last sync was, what went wrong.
 */
import { useEffect, useState } from 'preact/hooks';
import { getSyncStatus } from '../store/meta.js';
import { pendingCount } from '../store/outbox.js';
import { listRejections } from '../store/queries.js';
import { useQuery, useServices } from './hooks.js';
import { errorText, formatMoment, t } from './i18n.js';

export function SyncBar() {
  const { client } = useServices();
  const state = useQuery(async (db) => ({
    pending: await pendingCount(db), refused: (await listRejections(db)).length, status: await getSyncStatus(db),
  }), []);
  const running = useRunning(client);
  const online = useOnline();
  if (!state) return null;
  const { pending, refused, status } = state;
  const lastError = client.unsavedError ?? status.lastError;
  const problem = lastError && lastError.code !== 'offline' ? lastError : null;
  return (
    <header class={`sync-bar ${problem ? 'has-error' : ''}`} data-testid="sync-bar" data-running={String(running)}>
      <a href="#/" class="home" aria-label={t('nav.home')}>⌂</a>
      <a href="#/sync" class="sync-summary">
        <span class={`dot ${online ? 'online' : 'offline'}`} aria-hidden="true" />
        <span data-testid="pending-count" data-pending={pending}>
          {pending === 0 ? t('sync.all_sent') : t('sync.pending', { count: pending })}
        </span>
        {refused > 0 ? <span class="refused" data-testid="refused-count" data-refused={refused}>⚠ {t('sync.refused', { count: refused })}</span> : null}
        <small>
          {running ? t('sync.running') : problem ? errorText(problem)
            : status.lastSyncedAt ? t('sync.last', { when: formatMoment(status.lastSyncedAt) }) : t('sync.never')}
        </small>
      </a>
      <button type="button" class="sync-now" disabled={running || !online} onClick={() => client.sync()}
        aria-label={t('sync.now')} data-testid="sync-now">⟳</button>
    </header>
  );
}

/** @param {import('../client/sync-client.js').SyncClient} client */
function useRunning(client) {
  const [running, setRunning] = useState(client.running);
  useEffect(() => client.subscribe((event) => setRunning(event.running)), [client]);
  return running;
}

/** Whether the browser says it has a connection, kept up to date. */
export function useOnline() {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    addEventListener('online', update);
    addEventListener('offline', update);
    return () => {
      removeEventListener('online', update);
      removeEventListener('offline', update);
    };
  }, []);
  return online;
}
