// @ts-check
/**
 * Import trainees from a spreadsheet: a dry run first says what each line would do; the
 * import itself is offered only when no line has an error (a bad file changes nothing).
 */
import { useState } from 'preact/hooks';
import { useServices } from '../hooks.js';
import { t } from '../i18n.js';
import { failureText, useOffice, withToken } from './office-data.js';
import { genderWords } from './parts.jsx';

/**
 * @typedef {{line: number, status: 'ok' | 'error' | 'duplicate', messages: string[], trainee?: Record<string, any>}} ImportRow
 * @typedef {{rows: ImportRow[], ok: number, errors: number, imported: number, enrolled?: number}} ImportReport
 */

const STATUS_WORDS = /** @type {Record<string, () => string>} */ ({
  ok: () => t('office.line_ok'), error: () => t('office.line_error'), duplicate: () => t('office.line_duplicate'),
});

export function ImportScreen() {
  const services = useServices();
  const courses = useOffice((api, token) => api.courses(token), []);
  const [file, setFile] = useState(/** @type {File | null} */ (null));
  const [courseId, setCourseId] = useState('');
  const [report, setReport] = useState(/** @type {ImportReport | null} */ (null));
  const [done, setDone] = useState(/** @type {ImportReport | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));

  /** @param {boolean} dryRun */
  async function send(dryRun) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      /** @type {ImportReport} */
      const answer = await withToken(services, (api, token) => api.importFile(token, file, file.name, { dryRun, courseId: courseId || null }));
      if (dryRun) setReport(answer);
      else {
        setDone(answer);
        setReport(null);
      }
    } catch (err) {
      setError(failureText(services, err));
    } finally {
      setBusy(false);
    }
  }
  const courseTitle = (courses.data?.courses ?? []).find((/** @type {any} */ c) => c.id === courseId)?.title;
  return (
    <section class="screen office-import">
      <h1>{t('office.import_title')}</h1>
      <p class="lead">{t('office.import_intro')}</p>
      <label class="field">{t('office.import_file')}
        <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          data-testid="import-file" onChange={(e) => {
            setFile(/** @type {HTMLInputElement} */ (e.currentTarget).files?.[0] ?? null);
            setReport(null);
            setDone(null);
          }} /></label>
      <label class="field">{t('office.import_course')}
        <select value={courseId} onChange={(e) => { setCourseId(/** @type {HTMLSelectElement} */ (e.currentTarget).value); setReport(null); }}
          data-testid="import-course">
          <option value="">{t('office.import_no_course')}</option>
          {(courses.data?.courses ?? []).map((/** @type {any} */ c) => <option key={c.id} value={c.id}>{c.title} · {c.commune_name}</option>)}
        </select></label>
      <button type="button" class="big" disabled={!file || busy} onClick={() => send(true)} data-testid="import-check">
        {busy ? t('common.wait') : t('office.import_check')}</button>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      {done ? <p class="notice" data-testid="import-done" role="status">✓ {t('office.import_done', { count: done.imported })}
        {courseTitle && done.enrolled ? ` ${t('office.import_done_course', { count: done.enrolled, course: courseTitle })}` : ''}</p> : null}
      {report ? (
        <div data-testid="import-report" data-errors={String(report.errors)}>
          <p class={report.errors ? 'form-error' : 'notice'}>
            {t('office.import_summary', { ok: report.ok, errors: report.errors, lines: report.rows.length })}</p>
          <div class="table-scroll">
            <table class="office-table">
              <thead><tr><th>{t('office.line')}</th><th>{t('office.result')}</th><th>{t('office.full_name')}</th><th>{t('office.details')}</th></tr></thead>
              <tbody>
                {report.rows.map((row) => (
                  <tr key={row.line} class={`import-${row.status}`} data-testid="import-row" data-status={row.status}>
                    <td>{row.line}</td><td>{STATUS_WORDS[row.status]?.() ?? row.status}</td>
                    <td>{row.trainee?.full_name ?? ''}</td>
                    <td>{[row.trainee ? [genderWords(row.trainee.gender), row.trainee.birth_year].filter(Boolean).join(' · ') : '',
                      ...row.messages].filter(Boolean).join(' — ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {report.errors ? <p class="hint">{t('office.import_fix_first')}</p> : (
            <button type="button" class="big primary" disabled={busy || report.ok === 0} onClick={() => send(false)} data-testid="import-apply">
              ⇪ {t('office.import_apply', { count: report.ok })}</button>
          )}
        </div>
      ) : null}
    </section>
  );
}
