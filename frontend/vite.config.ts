import { sveltekit } from '@sveltejs/kit/vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// The FastAPI backend (`postwizard api` / `postwizard serve`) listens here in development.
const backend = process.env.POSTWIZARD_API_URL ?? 'http://127.0.0.1:8000';

// Same-origin in dev: the browser talks only to Vite, which forwards API calls, so
// the session cookie and the pw_csrf cookie behave exactly as in production.
const proxy = {
	'/api': { target: backend, changeOrigin: false },
	'/health': { target: backend, changeOrigin: false }
};

export default defineConfig({
	// svelteTesting: component tests mount the browser build of Svelte and clean up after each test.
	plugins: [sveltekit(), svelteTesting()],
	server: { proxy },
	preview: { proxy },
	test: {
		environment: 'jsdom',
		include: ['src/**/*.test.ts'],
		restoreMocks: true,
		unstubGlobals: true
	}
});
