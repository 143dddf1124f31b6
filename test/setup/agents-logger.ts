import { initializeLogger } from '@livekit/agents';

// agents-js classes (STT, TTS, LLM streams) log through a global logger that must exist first.
initializeLogger({ pretty: false, level: 'warn' });
