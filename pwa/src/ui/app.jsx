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
import { CheckinScreen } from './screens/checkin-qr.jsx';
import { DevicesScreen } from './screens/devices.jsx';
import { LazyOffice, OfficeLink } from './dashboard/entry.jsx';
import { WipedScreen } from './screens/wiped.jsx';
import { wipedAt } from '../store/wipe.js';
import { CheckinRoute } from './screens/checkin.jsx';
import { hasCheckins } from '../checkin/trainee-store.js';

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
  const wiped = useQuery(wipedAt, []);
  const traineePhone = useQuery(hasCheckins, []);
  // A trainee's check-in needs no enrolment and no sync bar: their phone is not the trainer's.
  if (route[0] === 'checkin') return <CheckinFrame token={route[1]} />;
  if (enrolment === undefined || wiped === undefined || traineePhone === undefined) return null;
  // A trainee's phone opened from its home screen icon: their check-ins, not the enrolment form.
  if (enrolment === null && route.length === 0 && traineePhone) return <CheckinFrame />;
  // A phone its coordinator removed says why its data is gone, until it is enrolled again.
  if (enrolment === null && wiped !== null && route[0] !== 'enrol') {
    return <div class="app"><main><WipedScreen at={wiped} /></main></div>;
  }
  const enrolling = enrolment === null || route[0] === 'enrol';
  return (
    <div class="app">
      <UpdateBanner />
      {/* One sticky header: a tap that fails far down a roster is told where it was made. */}
      <div class="top-bars">
        {enrolling ? null : <SyncBar />}
        <ErrorBanner />
      </div>
      <main>{enrolling ? <EnrolScreen prefill={route[1]} enrolled={enrolment !== null} /> : <Screen route={route} />}</main>
    </div>
  );
}

/** @param {{token?: string}} props */
function CheckinFrame({ token }) {
  return (
    <div class="app">
      <UpdateBanner />
      <div class="top-bars"><ErrorBanner /></div>
      <main><CheckinRoute tokenText={token} /></main>
    </div>
  );
}

/** @param {{route: string[]}} props */
function Screen({ route }) {
  const [name, a, b, c] = route;
  if (name === 'course' && a && b === 'trainee' && c) return <ChecklistScreen courseId={a} traineeId={c} />;
  if (name === 'course' && a) return <CourseScreen courseId={a} />;
  if (name === 'session' && a && b === 'walk-in') return <WalkInScreen sessionId={a} />;
  if (name === 'session' && a && b === 'checkin') return <CheckinScreen sessionId={a} />;
  if (name === 'session' && a) return <RosterScreen sessionId={a} />;
  if (name === 'sync') return <SyncScreen />;
  if (name === 'upload') return <UploadScreen />;
  if (name === 'devices') return <DevicesScreen />;
  // The coordinator's office: its screens are loaded only when opened.
  if (name === 'office') return <LazyOffice route={route.slice(1)} />;
  return <><OfficeLink /><CoursesScreen /></>;
}
