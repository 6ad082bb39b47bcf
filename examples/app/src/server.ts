// Code layer: waits for the TypeScript rules.
import { exec } from 'node:child_process';
import express from 'express';
import { db } from './db';

const app = express();

app.get('/users', async (req, res) => {
  const rows = await db.query(`SELECT * FROM users WHERE name = '${req.query.name}'`);
  res.json(rows);
});

app.post('/convert', (req, res) => {
  exec(`convert ${req.body.file} out.png`, () => res.sendStatus(204));
});

app.listen(8080);
