// @ts-check
/** For coordinators: apply an outbox file a trainer sent by Zalo or USB, exactly as a sync. */
import { useState } from 'preact/hooks';
import { getEnrolment } from '../../store/meta.js';
import { useServices } from '../hooks.js';
import { errorText, t } from '../i18n.js';

export function UploadScreen() {
  const services = useServices();
  const [result, setResult] = useState(/** @type {any} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);

  /** @param {Event} event */
  async function upload(event) {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ (/** @type {HTMLFormElement} */ (event.target).elements.namedItem('file'));
    const chosen = input.files?.[0];
    if (!chosen) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const enrolment = await getEnrolment(services.db);
      const file = JSON.parse(await chosen.text());
      setResult(await services.transport.uploadOutboxFile(/** @type {any} */ (enrolment).token, file));
    } catch (/** @type {any} */ err) {
      setError(err instanceof SyntaxError ? t('upload.not_json') : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="screen upload">
      <h1>{t('upload.title')}</h1>
      <p class="lead">{t('upload.intro')}</p>
      <form onSubmit={upload}>
        <input type="file" name="file" accept="application/json,.json" required />
        <button type="submit" class="primary big" disabled={busy}>{busy ? t('common.wait') : t('upload.submit')}</button>
      </form>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      {result ? (
        <p class="notice" role="status" data-testid="upload-result">
          {t('upload.result', { applied: result.applied, duplicate: result.duplicate, conflict: result.conflict, rejected: result.rejected })}
        </p>
      ) : null}
    </section>
  );
}
