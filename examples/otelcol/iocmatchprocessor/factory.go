package iocmatchprocessor

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// TypeStr is the processor's type in a collector configuration.
const TypeStr = "iocmatch"

// Type is the processor's component type.
var Type = component.MustNewType(TypeStr)

// NewFactory returns the factory of the iocmatch logs processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		processor.WithLogs(createLogs, component.StabilityLevelAlpha))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newProcessor(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return p.logs(ctx, set, next)
}

// logs wraps p into a processor.Logs that passes its output to next.
func (p *iocProcessor) logs(ctx context.Context, set processor.Settings, next consumer.Logs) (processor.Logs, error) {
	cfg := p.cfg
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown),
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
}
