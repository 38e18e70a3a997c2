// @ts-check
/**
 * Field health and review: phones not synced for days, work waiting on each, changes the
 * server refused, and conflicts waiting for a person, each with both values and a choice.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatAgo } from '../dates.js';
import { describeValue } from '../describe.js';
import { useQuery, useServices } from '../hooks.js';
import { errorCode, formatMoment, language, t } from '../i18n.js';
import { chosenValue, keepConflictValue } from './office-actions.js';
import { failureText, useOffice } from './office-data.js';
import { LoadState } from './parts.jsx';

export const STALE_DAYS = 3;

/** @typedef {import('./office-actions.js').WaitingConflict & {opened_at?: string}} ConflictRow */

export function HealthScreen() {
  const services = useServices();
  const health = useOffice((api, token) => api.health(token, { stale_days: STALE_DAYS }), []);
  // A choice needs the record on this phone, and the newest state: sync once on the way in.
  useEffect(() => {
    services.client.sync().catch(() => {});
  }, []);
  const data = health.data;
  const now = Date.now();
  const lang = language();
  const devices = /** @type {any[]} */ (data?.devices ?? []);
  const stale = devices.filter((d) => d.stale && !d.revoked_at);
  return (
    <section class="screen office-health">
      <h1>{t('office.health_title')}</h1>
      <button type="button" class="small" onClick={health.reload} data-testid="office-health-refresh">⟳ {t('office.refresh')}</button>
      <LoadState error={health.error} loading={health.loading && !data} retry={health.reload} />
      {data ? (
        <>
          <h2>{t('office.conflicts_waiting', { count: data.conflicts.length })}</h2>
          {data.conflicts.length === 0 ? <p class="empty">{t('office.no_conflicts')}</p> : (
            <ul class="office-conflicts">
              {data.conflicts.map((/** @type {ConflictRow} */ c) => <ConflictCard key={c.id} conflict={c} onSettled={health.reload} />)}
            </ul>
          )}
          <h2>{t('office.stale_devices', { count: stale.length, days: STALE_DAYS })}</h2>
          <div class="table-scroll">
            <table class="office-table" data-testid="office-devices">
              <thead><tr><th>{t('office.owner')}</th><th>{t('office.last_sync')}</th><th>{t('office.pending')}</th></tr></thead>
              <tbody>
                {devices.map((d) => (
                  <tr key={d.id} class={d.stale ? 'stale' : ''} data-testid="office-device" data-stale={String(Boolean(d.stale))}>
                    <th scope="row">{d.owner?.name ?? '—'}{d.revoked_at ? <small> ⊘ {t('devices.revoked')}</small> : null}</th>
                    <td>{d.last_sync_at ? formatAgo(Date.parse(d.last_sync_at), now, lang) : t('devices.never_synced')}
                      {d.stale && !d.revoked_at ? <em class="stale-note"> ⚠</em> : null}</td>
                    <td>{d.pending_ops ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>{t('office.rejected', { count: data.rejected.length })}</h2>
          {data.rejected.length === 0 ? <p class="empty">{t('office.no_rejected')}</p> : (
            <ul class="notices" data-testid="office-rejected">
              {data.rejected.map((/** @type {any} */ r) => (
                <li key={r.op_id}><strong>{r.owner_name ?? '—'}{r.entity ? ` · ${t(`entity.${r.entity}`)}` : ''}</strong>
                  <span>{r.reason}</span><small>{r.received_at ? formatMoment(Date.parse(r.received_at)) : ''}</small></li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}

/** @param {{conflict: ConflictRow, onSettled: () => void}} props */
function ConflictCard({ conflict, onSettled }) {
  const services = useServices();
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);
  // The choice waits in this phone's outbox until a sync takes it up; then the server has closed the conflict.
  const waiting = useQuery((db) => db.getAllFromIndex('outbox', 'by_record', [conflict.record_entity, conflict.record_id])
    .then((rows) => rows.length), [conflict.id]);
  const was = useRef(0);
  useEffect(() => {
    if (waiting === 0 && was.current > 0) onSettled();
    was.current = waiting ?? 0;
  }, [waiting]);
  const confirmation = conflict.cause === 'confirmation';
  /** @param {'winner' | 'loser'} side */
  async function keep(side) {
    setBusy(true);
    setError(null);
    try {
      await keepConflictValue(services, conflict, side);
    } catch (err) {
      setError(errorCode(err) === 'office_sync_first' ? t('office.sync_first') : failureText(services, err));
    } finally {
      setBusy(false);
    }
  }
  const sides = /** @type {const} */ ([['winner', () => t('office.value_kept_now')], ['loser', () => t('office.value_other')]]);
  return (
    <li class="conflict-card" data-testid="office-conflict" data-conflict={conflict.id} data-waiting={String((waiting ?? 0) > 0)}>
      <strong>{t(`entity.${conflict.record_entity}`)}{conflict.about ? ` · ${conflict.about}` : ''}</strong>
      {confirmation ? <p>{t('sync.conflict_confirmation')}</p> : null}
      <div class="both-values">
        {sides.map(([side, words]) => (
          <div key={side} class={`value ${side}`} data-testid={`conflict-${side}`}>
            <small>{words()}</small>
            <p class="said">{confirmation && chosenValue(conflict, side) !== (side === 'winner' ? conflict.winner_value : conflict.loser_value)
              ? t('office.confirmed') : `“${describeValue(conflict.field, side === 'winner' ? conflict.winner_value : conflict.loser_value)}”`}</p>
            <button type="button" class="big" disabled={busy || (waiting ?? 0) > 0} onClick={() => keep(side)}
              data-testid={`keep-${side}`}>✓ {t('office.keep_this')}</button>
          </div>
        ))}
      </div>
      {(waiting ?? 0) > 0 ? <p class="notice" data-testid="conflict-pending">⟳ {t('office.choice_waiting')}</p> : null}
      {error ? <p class="form-error" role="alert">{error}</p> : null}
    </li>
  );
}
