// @ts-check
/** Trainees who look like the same person: which to keep, what the merge moves, then merge. */
import { useState } from 'preact/hooks';
import { useQuery, useServices } from '../hooks.js';
import { t } from '../i18n.js';
import { mergeTrainees } from './office-actions.js';
import { failureText, useOffice, withToken } from './office-data.js';
import { LoadState, genderWords } from './parts.jsx';

/** @typedef {{id: string, full_name: string, gender?: string | null, birth_year?: number | null,
 *   ethnicity?: string | null, village?: string | null, phone?: string | null}} Person */

const REASONS = /** @type {Record<string, () => string>} */ ({
  'same commune': () => t('office.reason_commune'), 'same birth year': () => t('office.reason_year'),
  'similar name': () => t('office.reason_name'), 'same name': () => t('office.reason_same_name'),
});

export function DuplicatesScreen() {
  const pairs = useOffice((api, token) => api.duplicates(token), []);
  return (
    <section class="screen office-duplicates">
      <h1>{t('office.duplicates_title')}</h1>
      <p class="lead">{t('office.duplicates_intro')}</p>
      <button type="button" class="small" onClick={pairs.reload}>⟳ {t('office.refresh')}</button>
      <LoadState error={pairs.error} loading={pairs.loading && !pairs.data} retry={pairs.reload} />
      {pairs.data && pairs.data.pairs.length === 0 ? <p class="empty">{t('office.no_duplicates')}</p> : (
        <ul class="office-pairs">
          {(pairs.data?.pairs ?? []).map((/** @type {any} */ pair) => <PairCard key={`${pair.a.id}:${pair.b.id}`} pair={pair} />)}
        </ul>
      )}
    </section>
  );
}

/** @param {{pair: {a: Person, b: Person, score: number, reasons: string[]}}} props */
function PairCard({ pair }) {
  const services = useServices();
  const [keep, setKeep] = useState(pair.a.id);
  const [preview, setPreview] = useState(/** @type {any} */ (null));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const merge = keep === pair.a.id ? pair.b.id : pair.a.id;
  // A merge made here waits in the outbox until a sync takes it up (either way round).
  const waiting = useQuery(async (db) => {
    const rows = [...await db.getAllFromIndex('outbox', 'by_record', ['trainee', pair.a.id]),
      ...await db.getAllFromIndex('outbox', 'by_record', ['trainee', pair.b.id])];
    return rows.some((row) => row.op.fields?.merged_into);
  }, [pair.a.id, pair.b.id]);

  /** @param {() => Promise<void>} work */
  async function run(work) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(failureText(services, err));
    } finally {
      setBusy(false);
    }
  }
  const showPreview = () => run(async () => setPreview(await withToken(services, (api, token) => api.mergePreview(token, keep, merge))));
  const doMerge = () => run(async () => {
    await mergeTrainees(services, keep, merge);
  });
  /** @param {string} id */
  const choose = (id) => {
    setKeep(id);
    setPreview(null);
  };
  const pending = Boolean(waiting);
  return (
    <li class="pair-card" data-testid="office-pair" data-a={pair.a.id} data-b={pair.b.id} data-waiting={String(pending)}>
      <p class="reasons">{pair.reasons.map((r) => REASONS[r]?.() ?? r).join(' · ')}</p>
      <div class="both-values">
        {[pair.a, pair.b].map((p) => (
          <label key={p.id} class={`value person ${keep === p.id ? 'kept' : ''}`}>
            <span class="choice"><input type="radio" name={`keep-${pair.a.id}`} checked={keep === p.id} disabled={pending}
              onChange={() => choose(p.id)} data-testid="keep-person" data-trainee={p.id} /> {t('office.keep_person')}</span>
            <strong>{p.full_name}</strong>
            <small>{[genderWords(p.gender), p.birth_year, p.ethnicity, p.village].filter(Boolean).join(' · ')}</small>
          </label>
        ))}
      </div>
      {pending ? <p class="notice" data-testid="merge-pending">⟳ {t('office.merge_waiting')}</p> : preview ? (
        <div class="merge-preview" data-testid="merge-preview">
          <p>{t('office.merge_moves', { name: preview.merge?.full_name ?? '', keep: preview.keep?.full_name ?? '' })}</p>
          <ul>
            <li>{t('office.moves_enrollment', { count: preview.moves?.enrollment ?? 0 })}</li>
            <li>{t('office.moves_attendance', { count: preview.moves?.attendance ?? 0 })}</li>
            <li>{t('office.moves_skill_check', { count: preview.moves?.skill_check ?? 0 })}</li>
            <li>{t('office.moves_confirmation', { count: preview.moves?.confirmation ?? 0 })}</li>
          </ul>
          {preview.clashes ? <p class="hint">{t('office.merge_clashes', { count: preview.clashes })}</p> : null}
          <button type="button" class="big primary" disabled={busy} onClick={doMerge} data-testid="merge">⇄ {t('office.merge')}</button>
        </div>
      ) : <button type="button" class="big" disabled={busy} onClick={showPreview} data-testid="merge-preview-button">{t('office.preview')}</button>}
      {error ? <p class="form-error" role="alert">{error}</p> : null}
    </li>
  );
}
