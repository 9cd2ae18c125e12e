// The console's entry point: mounts the app and connects the live stream once for every view.
import { render } from 'preact';
import { App } from './components/App.jsx';
import { connectStream } from './lib/stream.js';
import './styles.css';

connectStream();
render(<App />, document.getElementById('app'));
