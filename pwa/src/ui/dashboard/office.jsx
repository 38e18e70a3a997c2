// @ts-check
/**
 * The coordinator's office (online): figures, rosters, field health and review, duplicate
 * trainees, imports. Loaded on demand by entry.jsx; each screen reads the server's
 * dashboard endpoints (docs/dashboard.md) and writes only through this phone's outbox.
 */
import { t } from '../i18n.js';
import { FiguresScreen } from './figures.jsx';
import { RostersScreen } from './rosters.jsx';
import { CourseGridScreen } from './course-grid.jsx';
import { HealthScreen } from './health.jsx';
import { DuplicatesScreen } from './duplicates.jsx';
import { ImportScreen } from './import.jsx';
import { TraineeScreen } from './trainee.jsx';

const TABS = /** @type {const} */ ([
  ['', '▦', () => t('office.tab_figures')],
  ['courses', '☰', () => t('office.tab_rosters')],
  ['health', '⚕', () => t('office.tab_health')],
  ['duplicates', '⇄', () => t('office.tab_duplicates')],
  ['import', '⇪', () => t('office.tab_import')],
]);

/** @param {{route: string[]}} props the hash route after "office" */
export function Office({ route }) {
  const [name, a, b, c] = route;
  const tab = name === 'course' ? 'courses' : (name ?? '');
  return (
    <div class="office" data-testid="office">
      <nav class="office-tabs" aria-label={t('office.title')}>
        {TABS.map(([path, icon, words]) => (
          <a key={path} href={path ? `#/office/${path}` : '#/office'} class={tab === path ? 'current' : ''}
            aria-current={tab === path ? 'page' : undefined} data-testid={`office-tab-${path || 'figures'}`}>
            <span aria-hidden="true">{icon}</span> {words()}</a>
        ))}
      </nav>
      <OfficeScreen name={name} a={a} b={b} c={c} />
    </div>
  );
}

/** @param {{name?: string, a?: string, b?: string, c?: string}} props */
function OfficeScreen({ name, a, b, c }) {
  if (name === 'course' && a && b === 'trainee' && c) return <TraineeScreen courseId={a} traineeId={c} />;
  if (name === 'course' && a) return <CourseGridScreen courseId={a} sessionId={b === 'session' ? c : undefined} />;
  if (name === 'courses') return <RostersScreen areaId={a} />;
  if (name === 'health') return <HealthScreen />;
  if (name === 'duplicates') return <DuplicatesScreen />;
  if (name === 'import') return <ImportScreen />;
  return <FiguresScreen />;
}
