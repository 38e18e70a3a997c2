// @ts-check
/** The app's frame: the sync bar always on top, then the screen the hash names. */
import { getEnrolment } from '../store/meta.js';
import { Services, useQuery, useRoute } from './hooks.js';
import { ErrorBanner } from './error-banner.jsx';
import { SyncBar } from './sync-bar.jsx';
import { UpdateBanner } from './update-banner.jsx';
import { EnrolScreen } from './screens/enrol.jsx';
import { CoursesScreen } from './screens/courses.jsx';
import { CourseScreen } from './screens/course.jsx';
import { RosterScreen } from './screens/roster.jsx';
import { WalkInScreen } from './screens/walk-in.jsx';
import { ChecklistScreen } from './screens/checklist.jsx';
import { SyncScreen } from './screens/sync.jsx';
import { UploadScreen } from './screens/upload.jsx';

/** @param {{services: import('./hooks.js').AppServices}} props */
export function App({ services }) {
  return (
    <Services.Provider value={services}>
      <Frame />
    </Services.Provider>
  );
}

function Frame() {
  const route = useRoute();
  const enrolment = useQuery((db) => getEnrolment(db).then((e) => e ?? null), []);
  if (enrolment === undefined) return null;
  const enrolling = enrolment === null || route[0] === 'enrol';
  return (
    <div class="app">
      <UpdateBanner />
      {enrolling ? null : <SyncBar />}
      <ErrorBanner />
      <main>{enrolling ? <EnrolScreen prefill={route[1]} enrolled={enrolment !== null} /> : <Screen route={route} />}</main>
    </div>
  );
}

/** @param {{route: string[]}} props */
function Screen({ route }) {
  const [name, a, b, c] = route;
  if (name === 'course' && a && b === 'trainee' && c) return <ChecklistScreen courseId={a} traineeId={c} />;
  if (name === 'course' && a) return <CourseScreen courseId={a} />;
  if (name === 'session' && a && b === 'walk-in') return <WalkInScreen sessionId={a} />;
  if (name === 'session' && a) return <RosterScreen sessionId={a} />;
  if (name === 'sync') return <SyncScreen />;
  if (name === 'upload') return <UploadScreen />;
  return <CoursesScreen />;
}
