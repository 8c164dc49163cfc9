import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import './ui/app.css';
import { applyLinkOnLoad } from './ui/linkOnLoad';
import { recordFinishedRuns, runHistoryStore } from './ui/runHistory';
import { playgroundStore } from './ui/store';
import { createTrainingClient } from './ui/trainingClient';

const rootElement = document.getElementById('root');
if (rootElement === null) {
  throw new Error('index.html has no element with id "root" to mount the playground in.');
}

// The client lives outside React so that StrictMode's double mounting cannot start two workers.
applyLinkOnLoad(playgroundStore, window.location.search);
recordFinishedRuns(playgroundStore, runHistoryStore);
const client = createTrainingClient(playgroundStore);
client.loadDefaultData();

createRoot(rootElement).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
