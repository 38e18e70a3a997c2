// @ts-check
/**
 * One trainee's own data, on their request: a copy to hand them, or erasing it. Erasing is
 * done by the server at once (not through the outbox) because it must reach every copy the
 * server keeps; the marks stay, so the course's counts do not change.
 */
import { useState } from 'preact/hooks';
import { useServices } from '../hooks.js';
import { t } from '../i18n.js';
import { useOffice, useOfficeAction, withToken } from './office-data.js';
import { DownloadButton, LoadState } from './parts.jsx';

/** @param {{courseId: string, traineeId: string}} props */
export function TraineeScreen({ courseId, traineeId }) {
  const answer = useOffice((api, token) => api.course(token, courseId), [courseId]);
  const [erased, setErased] = useState(false);
  const data = answer.data;
  if (!data) return <LoadState error={answer.error} loading retry={answer.reload} />;
  /** @type {{id: string, full_name: string, birth_year: number | null} | undefined} */
  const trainee = data.trainees.find((/** @type {{id: string}} */ p) => p.id === traineeId);
  const back = <a href={`#/office/course/${courseId}`}>{data.course.title}</a>;
  if (erased || !trainee) {
    return (
      <section class="screen office-trainee" data-testid="office-trainee">
        <nav class="trail" aria-label={t('office.where')}>{back}</nav>
        <p class="notice saved" role="status" data-testid="trainee-erased">{erased ? t('office.erased_done') : t('office.trainee_gone')}</p>
      </section>
    );
  }
  return (
    <section class="screen office-trainee" data-testid="office-trainee">
      <nav class="trail" aria-label={t('office.where')}>{back}</nav>
      <h1>{trainee.full_name}</h1>
      <h2>{t('office.copy_title')}</h2>
      <p class="hint">{t('office.copy_hint')}</p>
      <p><DownloadButton label={t('office.copy_button')} testId="trainee-copy"
        fetchFile={(api, token) => api.traineeCopy(token, traineeId)} /></p>
      <h2>{t('office.erase_title')}</h2>
      <p class="hint">{t('office.erase_hint')}</p>
      <EraseForm traineeId={traineeId} name={trainee.full_name} onErased={() => setErased(true)} />
    </section>
  );
}

/** @param {{traineeId: string, name: string, onErased: () => void}} props */
function EraseForm({ traineeId, name, onErased }) {
  const services = useServices();
  const [asked, setAsked] = useState(false);
  const { busy, error, run } = useOfficeAction();
  async function erase() {
    if (await run(() => withToken(services, (api, token) => api.eraseTrainee(token, traineeId)))) {
      onErased();
      // The tombstone reaches this phone's own copy with its next pull.
      services.client.sync();
    }
  }
  return (
    <div class="erase">
      <label class="choice">
        <input type="checkbox" checked={asked} onChange={(e) => setAsked(/** @type {HTMLInputElement} */ (e.currentTarget).checked)}
          data-testid="trainee-erase-asked" />
        {t('office.erase_asked', { name })}
      </label>
      <button type="button" class="danger" disabled={!asked || busy} onClick={erase} data-testid="trainee-erase">
        {busy ? t('common.wait') : t('office.erase_button')}</button>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
    </div>
  );
}
