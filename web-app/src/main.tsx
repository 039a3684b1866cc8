import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ServicesProvider, defaultServices } from './services';
import './global.css';

// No StrictMode: its double effects would stop and restart the camera and the signalling socket.
createRoot(document.getElementById('root')!).render(
  <ServicesProvider services={defaultServices()}>
    <App />
  </ServicesProvider>,
);
