import './app.css'
import { mount } from 'svelte'
import App from './App.svelte'
import { locale } from './lib/i18n/index.svelte'
import { startRouter } from './lib/router.svelte'

document.documentElement.lang = locale.lang
startRouter()
mount(App, { target: document.getElementById('app')! })
