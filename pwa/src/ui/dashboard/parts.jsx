// @ts-check
/** Small pieces the office screens share: export buttons, the area picker, a failure line. */
import { useServices } from '../hooks.js';
import { language, t } from '../i18n.js';
import { saveFile, useOfficeAction, withToken } from './office-data.js';

/**
 * A button that downloads an export and saves it.
 * @param {{name: string, params: Record<string, string | undefined>, label: string, testId?: string}} props
 */
export function ExportButton({ name, params, label, testId }) {
  return <DownloadButton label={label} testId={testId} small
    fetchFile={(api, token) => api.download(token, name, { ...params, lang: language() })} />;
}

/**
 * A button that fetches a file from the server and saves it.
 * @param {{label: string, testId?: string, small?: boolean,
 *   fetchFile: (api: import('../../transport/dashboard-http.js').DashboardTransport, token: string) =>
 *     Promise<import('../../transport/dashboard-http.js').Download>}} props
 */
export function DownloadButton({ label, testId, small, fetchFile }) {
  const services = useServices();
  const { busy, error, run } = useOfficeAction();
  const save = () => run(async () => saveFile(await withToken(services, fetchFile)));
  return (
    <span class="export">
      <button type="button" class={small ? 'small' : ''} disabled={busy} onClick={save} data-testid={testId}>⤓ {busy ? t('common.wait') : label}</button>
      {error ? <span class="form-error" role="alert">{error}</span> : null}
    </span>
  );
}

/**
 * Pick an area of the caller's tree ('' = all of it).
 * @param {{areas: {id: string, name: string, kind: string}[], value: string, onChange: (id: string) => void}} props
 */
export function AreaPicker({ areas, value, onChange }) {
  return (
    <label class="field">{t('office.area')}
      <select value={value} onChange={(e) => onChange(/** @type {HTMLSelectElement} */ (e.currentTarget).value)} data-testid="office-area">
        <option value="">{t('office.all_my_area')}</option>
        {areas.filter((a) => a.kind !== 'village').map((a) => (
          <option key={a.id} value={a.id}>{a.kind === 'commune' ? `— ${a.name}` : a.name}</option>
        ))}
      </select>
    </label>
  );
}

/** @param {{error: string | null, loading: boolean, retry: () => void}} props */
export function LoadState({ error, loading, retry }) {
  if (error) {
    return (
      <div class="office-error" role="alert">
        <p class="form-error">{error}</p>
        <button type="button" class="small" onClick={retry}>⟳ {t('office.retry')}</button>
      </div>
    );
  }
  return loading ? <p class="empty">{t('common.wait')}</p> : null;
}

export { genderWords } from './labels.js';
