// The frame: the header (navigation, sign-in) and the view the URL names.
import { route } from '../lib/route.js';
import { Nav } from './Nav.jsx';
import { SignIn } from './SignIn.jsx';
import { GraphView } from './GraphView.jsx';
import { RelationshipView } from './RelationshipView.jsx';
import { LiveTail } from './LiveTail.jsx';
import { HealthView } from './HealthView.jsx';
import { ReviewView } from './ReviewView.jsx';
import { AlertsView } from './AlertsView.jsx';
import { OrganizationView } from './OrganizationView.jsx';
import { LogView } from './LogView.jsx';

export function App() {
  const { view, args, params } = route.value;
  return (
    <>
      <header class="top">
        <strong class="brand">Liaison</strong>
        <Nav view={view} params={params} />
        <SignIn />
      </header>
      <main id="main">
        {view === 'relationship' ? (
          <RelationshipView args={args} params={params} />
        ) : view === 'live' ? (
          <LiveTail />
        ) : view === 'log' ? (
          <LogView params={params} />
        ) : view === 'health' ? (
          <HealthView />
        ) : view === 'review' ? (
          <ReviewView params={params} />
        ) : view === 'alerts' ? (
          <AlertsView params={params} />
        ) : view === 'org' ? (
          <OrganizationView args={args} params={params} />
        ) : (
          <GraphView params={params} />
        )}
      </main>
    </>
  );
}
