// @ts-check
/** The figures a province reports: totals, skills attained, and breakdowns, for an area and dates. */
import { useState } from 'preact/hooks';
import { language, t } from '../i18n.js';
import { BarChart } from './bar-chart.jsx';
import { count, percent } from './format.js';
import { useOffice } from './office-data.js';
import { groupName } from './labels.js';
import { AreaPicker, ExportButton, LoadState } from './parts.jsx';
import { PERIODS, periodDates, periodOf } from './periods.js';
import { todayIso } from '../dates.js';

/**
 * @typedef {{key: string, label?: string, trainees_reached: number, person_times: number,
 *   attendance_rate: number | null, completion_rate: number | null}} Group
 * @typedef {{totals: Record<string, number | null>, skills: {code: string, label_vi: string, label_en: string,
 *   assessed: number, attained: number, rate: number | null}[], by: Record<string, Group[]>}} Figures
 */

const BREAKDOWNS = /** @type {const} */ ([
  ['commune', () => t('office.by_commune')], ['gender', () => t('office.by_gender')],
  ['ethnicity', () => t('office.by_ethnicity')], ['age_group', () => t('office.by_age_group')],
]);

export function FiguresScreen() {
  const [areaId, setAreaId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const areas = useOffice((api, token) => api.areas(token), []);
  const params = { area_id: areaId || undefined, from: from || undefined, to: to || undefined };
  const figures = useOffice((api, token) => api.figures(token, params), [areaId, from, to]);
  const lang = language();
  const today = todayIso();
  const choosePeriod = (/** @type {Event} */ e) => {
    const chosen = /** @type {HTMLSelectElement} */ (e.currentTarget).value;
    const dates = periodDates(/** @type {typeof PERIODS[number]} */ (chosen), today);
    setFrom(dates.from);
    setTo(dates.to);
  };
  const period = periodOf(from, to, today);
  /** @type {Figures | null} */
  const data = figures.data;
  const totals = data?.totals ?? {};
  const cards = /** @type {const} */ ([
    ['courses', () => t('office.courses'), count(totals.courses, lang)],
    ['sessions', () => t('office.sessions'), count(totals.sessions, lang)],
    ['trainees_reached', () => t('office.trainees_reached'), count(totals.trainees_reached, lang)],
    ['person_times', () => t('office.person_times'), count(totals.person_times, lang)],
    ['attendance_rate', () => t('office.attendance_rate'), percent(totals.attendance_rate, lang)],
    ['completion_rate', () => t('office.completion_rate'), percent(totals.completion_rate, lang)],
  ]);
  return (
    <section class="screen office-figures">
      <h1>{t('office.figures_title')}</h1>
      <div class="office-filters">
        <AreaPicker areas={areas.data?.areas ?? []} value={areaId} onChange={setAreaId} />
        <label class="field">{t('office.period')}
          <select value={period} onChange={choosePeriod} data-testid="office-period">
            {[...PERIODS, 'custom'].map((key) => (
              // "Dates chosen below" only names typed dates: choosing it would change nothing.
              <option key={key} value={key} disabled={key === 'custom'}>{t(`period.${key}`)}</option>))}
          </select></label>
        <label class="field">{t('office.from')}
          <input type="date" value={from} onChange={(e) => setFrom(/** @type {HTMLInputElement} */ (e.currentTarget).value)} data-testid="office-from" /></label>
        <label class="field">{t('office.to')}
          <input type="date" value={to} onChange={(e) => setTo(/** @type {HTMLInputElement} */ (e.currentTarget).value)} data-testid="office-to" /></label>
      </div>
      <LoadState error={figures.error} loading={figures.loading && !data} retry={figures.reload} />
      {data ? (
        <>
          <ul class="totals" data-testid="office-totals">
            {cards.map(([key, words, value]) => (
              <li key={key} class="total" data-testid={`total-${key}`}><strong>{value}</strong><span>{words()}</span></li>
            ))}
          </ul>
          <p class="hint">{t('office.definitions')}</p>
          <div class="exports">
            <ExportButton name="figures.xlsx" params={params} label={t('office.export_xlsx')} testId="export-figures-xlsx" />
            <ExportButton name="figures.csv" params={params} label={t('office.export_csv')} testId="export-figures-csv" />
          </div>
          <div class="charts">
            {data.skills.length === 0 ? <p class="empty">{t('office.no_skills')}</p> : (
              <BarChart horizontal percent wide testId="chart-skills" label={t('office.skills_attained')}
                labels={data.skills.map((s) => (lang === 'en' ? s.label_en : s.label_vi))}
                values={data.skills.map((s) => s.rate)}
                format={(v) => (v === null ? '—' : percent(v, lang))} />
            )}
            {BREAKDOWNS.map(([by, words]) => {
              const groups = data.by?.[by] ?? [];
              return groups.length === 0 ? null : (
                <BarChart key={by} horizontal={by === 'commune' || by === 'ethnicity'} testId={`chart-${by}`}
                  label={`${words()} · ${t('office.trainees_reached')}`}
                  labels={groups.map((g) => groupName(by, g))} values={groups.map((g) => g.trainees_reached)}
                  format={(v) => count(v, lang)} />
              );
            })}
          </div>
          <h2>{t('office.rates_by_group')}</h2>
          {BREAKDOWNS.map(([by, words]) => (
            <div class="table-scroll" key={by}>
              <table class="office-table" data-testid={`table-${by}`}>
                <caption>{words()}</caption>
                <thead><tr><th>{words()}</th><th>{t('office.trainees_reached')}</th><th>{t('office.person_times')}</th>
                  <th>{t('office.attendance_rate')}</th><th>{t('office.completion_rate')}</th></tr></thead>
                <tbody>
                  {(data.by?.[by] ?? []).map((g) => (
                    <tr key={g.key}><th scope="row">{groupName(by, g)}</th><td>{count(g.trainees_reached, lang)}</td>
                      <td>{count(g.person_times, lang)}</td><td>{percent(g.attendance_rate, lang)}</td>
                      <td>{percent(g.completion_rate, lang)}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </>
      ) : null}
    </section>
  );
}
