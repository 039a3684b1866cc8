import { usePath, roomSlugFromPath } from './router';
import { HomePage } from './pages/HomePage';
import { RoomPage } from './pages/RoomPage';

export function App() {
  const path = usePath();
  const slug = roomSlugFromPath(path);
  return slug ? <RoomPage key={slug} slug={slug} /> : <HomePage />;
}
