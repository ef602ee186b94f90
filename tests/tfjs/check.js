// An independent computation of a network's loss and gradients with TensorFlow.js (pure JavaScript CPU backend,
// float32), for Codegen's cross-check test. Reads a case as JSON from the file named on the command line and writes
// { loss, parameterGradients, inputGradient } as JSON to standard output. TensorFlow.js differentiates by its own
// autodiff; nothing here is derived by hand.
'use strict';
// TensorFlow.js prints advice on the console; standard output carries only the result.
console.log = console.warn = (...args) => process.stderr.write(args.join(' ') + '\n');
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

// CHW [C, H, W] to NHWC [1, H, W, C] and back.
const nhwc = t => tf.expandDims(tf.transpose(t, [1, 2, 0]), 0);
const chw = t => tf.transpose(tf.squeeze(t, [0]), [2, 0, 1]);

function network(layers, lossKind, target, label) {
  return (x, ...params) => {
    let h = x;
    let logits = h;
    let p = 0;
    for (const layer of layers) {
      logits = h;
      switch (layer.kind) {
        case 'dense': {
          const w = tf.reshape(params[p++], [layer.units, layer.inputs]);
          const b = params[p++];
          h = tf.add(tf.reshape(tf.matMul(w, tf.reshape(h, [-1, 1])), [-1]), b);
          break;
        }
        case 'relu': h = tf.relu(h); break;
        case 'leakyrelu': h = tf.leakyRelu(h, layer.slope); break;
        // ELU with any α as relu(x) + α·(exp(min(x, 0)) − 1); tf.elu has α = 1 only.
        case 'elu': h = layer.alpha === 1 ? tf.elu(h) : tf.add(tf.relu(h), tf.mul(layer.alpha, tf.sub(tf.exp(tf.minimum(h, 0)), 1))); break;
        case 'sigmoid': h = tf.sigmoid(h); break;
        case 'tanh': h = tf.tanh(h); break;
        case 'softsign': h = tf.div(h, tf.add(1, tf.abs(h))); break;
        case 'softmax': h = tf.softmax(tf.reshape(h, [-1])); break;
        // Image layers: h is kept in Codegen's CHW layout; each op goes through TensorFlow's NHWC and back.
        case 'input': h = tf.reshape(h, [layer.channels, layer.height, layer.width]); break;
        case 'conv2d': {
          const w = tf.transpose(tf.reshape(params[p++], [layer.filters, layer.channels, layer.kh, layer.kw]), [2, 3, 1, 0]);
          const b = params[p++];
          const y = tf.conv2d(nhwc(h), w, layer.stride, layer.padding === 0 ? 'valid' : [[0, 0], [layer.padding, layer.padding], [layer.padding, layer.padding], [0, 0]]);
          h = tf.add(chw(y), tf.reshape(b, [-1, 1, 1]));
          break;
        }
        case 'convtranspose2d': {
          const w = tf.transpose(tf.reshape(params[p++], [layer.channels, layer.filters, layer.kh, layer.kw]), [2, 3, 1, 0]);
          const b = params[p++];
          const [, height, width] = h.shape;
          const full = [1, (height - 1) * layer.stride + layer.kh, (width - 1) * layer.stride + layer.kw, layer.filters];
          let y = tf.conv2dTranspose(nhwc(h), w, full, layer.stride, 'valid');
          const P = layer.padding;
          y = tf.slice(y, [0, P, P, 0], [1, full[1] - 2 * P, full[2] - 2 * P, layer.filters]);
          h = tf.add(chw(y), tf.reshape(b, [-1, 1, 1]));
          break;
        }
        case 'maxpool': h = chw(tf.maxPool(nhwc(h), layer.size, layer.stride, 'valid')); break;
        case 'avgpool': h = chw(tf.avgPool(nhwc(h), layer.size, layer.stride, 'valid')); break;
        case 'flatten': h = tf.reshape(h, [-1]); break;
        default: throw new Error('unknown layer kind ' + layer.kind);
      }
    }
    const row = t => tf.reshape(t, [1, -1]);
    switch (lossKind) {
      case 'mse': return tf.losses.meanSquaredError(row(tf.tensor1d(target)), row(h));
      case 'crossentropy': return tf.losses.softmaxCrossEntropy(row(tf.tensor1d(target)), row(logits));
      case 'crossentropy-label': return tf.losses.softmaxCrossEntropy(row(tf.oneHot(tf.tensor1d([label], 'int32'), h.shape[0])), row(logits));
      case 'binarycrossentropy': return tf.losses.sigmoidCrossEntropy(row(tf.tensor1d(target)), row(logits));
      default: throw new Error('unknown loss ' + lossKind);
    }
  };
}

async function main() {
  await tf.setBackend('cpu');
  const c = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const tensors = [];
  let offset = 0;
  for (const layer of c.layers) {
    const weights = layer.kind === 'dense' ? layer.units * layer.inputs
      : layer.kind === 'conv2d' || layer.kind === 'convtranspose2d' ? layer.filters * layer.channels * layer.kh * layer.kw : 0;
    const biases = layer.kind === 'dense' ? layer.units : weights > 0 ? layer.filters : 0;
    if (weights > 0) {
      tensors.push(tf.tensor1d(c.parameters.slice(offset, offset + weights)));
      offset += weights;
      tensors.push(tf.tensor1d(c.parameters.slice(offset, offset + biases)));
      offset += biases;
    }
  }
  if (offset !== c.parameters.length) throw new Error(`layers use ${offset} parameters, the case has ${c.parameters.length}`);
  const f = network(c.layers, c.loss, c.target, c.label);
  const x = tf.tensor1d(c.input);
  const { value, grads } = tf.valueAndGrads(f)([x, ...tensors]);
  const parameterGradients = [];
  for (const g of grads.slice(1)) parameterGradients.push(...g.dataSync());
  const inputGradient = Array.from(grads[0].dataSync());
  process.stdout.write(JSON.stringify({
    loss: value.dataSync()[0],
    inputGradient,
    parameterGradients,
    backend: tf.getBackend(),
    version: tf.version.tfjs,
  }));
}

main().catch(e => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
