package endpoint

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
)

// SageMakerAPI is the part of the SageMaker client the resource uses.
type SageMakerAPI interface {
	DescribeEndpoint(context.Context, *sagemaker.DescribeEndpointInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointOutput, error)
	DescribeEndpointConfig(context.Context, *sagemaker.DescribeEndpointConfigInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointConfigOutput, error)
	DescribeModel(context.Context, *sagemaker.DescribeModelInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeModelOutput, error)
}

// NotFoundError says that a SageMaker object does not exist.
type NotFoundError struct {
	Kind string // "endpoint", "endpoint configuration", "model"
	Name string
	Err  error
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Kind, e.Name) }
func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is (or wraps) a NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// sageMakerNotFound reports whether a SageMaker error means "no such
// object". SageMaker's Describe/Delete calls for endpoints, endpoint
// configurations and models have no not-found error type or code: they
// answer ValidationException "Could not find ..." (hashicorp/aws matches the
// same text). The typed ResourceNotFound, which newer SageMaker APIs use, is
// accepted too. This is the only place the provider reads an error message.
func sageMakerNotFound(err error) bool {
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return true
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		return false
	}
	return strings.HasPrefix(apiErr.ErrorMessage(), "Could not find")
}

func wrapNotFound(kind, name string, err error) error {
	if sageMakerNotFound(err) {
		return &NotFoundError{Kind: kind, Name: name, Err: err}
	}
	return fmt.Errorf("describing %s %s: %w", kind, name, err)
}

// findEndpoint describes an endpoint; a missing one is a *NotFoundError.
func findEndpoint(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeEndpointOutput, error) {
	out, err := api.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
	if err != nil {
		return nil, wrapNotFound("endpoint", name, err)
	}
	return out, nil
}

// findEndpointConfig describes an endpoint configuration.
func findEndpointConfig(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeEndpointConfigOutput, error) {
	out, err := api.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(name)})
	if err != nil {
		return nil, wrapNotFound("endpoint configuration", name, err)
	}
	return out, nil
}

// findModel describes a model.
func findModel(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeModelOutput, error) {
	out, err := api.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(name)})
	if err != nil {
		return nil, wrapNotFound("model", name, err)
	}
	return out, nil
}

// variant returns the AllTraffic variant of a config (or its first one).
func variant(cfg *sagemaker.DescribeEndpointConfigOutput) *smtypes.ProductionVariant {
	if cfg == nil || len(cfg.ProductionVariants) == 0 {
		return nil
	}
	for i := range cfg.ProductionVariants {
		if aws.ToString(cfg.ProductionVariants[i].VariantName) == VariantName {
			return &cfg.ProductionVariants[i]
		}
	}
	return &cfg.ProductionVariants[0]
}
