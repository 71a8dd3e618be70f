"""Each TensorFlow op's input and output arguments. Generated; do not edit.

Written by `python scripts/make_op_registry.py` from the op registry of TensorFlow 2.21.0
(1910 ops); read by `freezer.ops.arguments`. A text table in a string, not a dict literal, as that
loads in a few milliseconds even where Python compiles the module afresh.

One line per op, sorted by name: `Op: inputs -> outputs`, each side the op's arguments in OpDef
order, separated by spaces, each argument one of

    name                one tensor
    name*ATTR           a list of ATTR tensors (ATTR an int attr: OpDef number_attr)
    name*[ATTR]         one tensor per entry of ATTR (a list(type) attr: OpDef type_list_attr)

followed by `=COUNT` when ATTR has a default: the count a NodeDef without ATTR means (graphs saved
with default attrs stripped omit it).
"""

TENSORFLOW_VERSION = '2.21.0'

OPS = """\
A: -> out
Abort: ->
Abs: x -> y
AccumulateNV2: inputs*N -> sum
AccumulatorApplyGradient: handle local_step gradient ->
AccumulatorNumAccumulated: handle -> num_accumulated
AccumulatorSetGlobalStep: handle new_global_step ->
AccumulatorTakeGradient: handle num_required -> average
Acos: x -> y
Acosh: x -> y
Add: x y -> z
AddManySparseToTensorsMap: sparse_indices sparse_values sparse_shape -> sparse_handles
AddN: inputs*N -> sum
AddSparseToTensorsMap: sparse_indices sparse_values sparse_shape -> sparse_handle
AddV2: x y -> z
AdjustContrast: images contrast_factor min_value max_value -> output
AdjustContrastv2: images contrast_factor -> output
AdjustHue: images delta -> output
AdjustSaturation: images scale -> output
All: input reduction_indices -> output
AllCandidateSampler: true_classes -> sampled_candidates true_expected_count sampled_expected_count
AllToAll: input group_assignment -> output
Angle: input -> output
AnonymousHashTable: -> table_handle
AnonymousIterator: -> handle
AnonymousIteratorV2: -> handle deleter
AnonymousIteratorV3: -> handle
AnonymousMemoryCache: -> handle deleter
AnonymousMultiDeviceIterator: -> handle deleter
AnonymousMultiDeviceIteratorV3: -> handle
AnonymousMutableDenseHashTable: empty_key deleted_key -> table_handle
AnonymousMutableHashTable: -> table_handle
AnonymousMutableHashTableOfTensors: -> table_handle
AnonymousRandomSeedGenerator: seed seed2 -> handle deleter
AnonymousSeedGenerator: seed seed2 reshuffle -> handle deleter
Any: input reduction_indices -> output
ApplyAdaMax: var m v beta1_power lr beta1 beta2 epsilon grad -> out
ApplyAdadelta: var accum accum_update lr rho epsilon grad -> out
ApplyAdagrad: var accum lr grad -> out
ApplyAdagradDA: var gradient_accumulator gradient_squared_accumulator grad lr l1 l2 global_step -> out
ApplyAdagradV2: var accum lr epsilon grad -> out
ApplyAdam: var m v beta1_power beta2_power lr beta1 beta2 epsilon grad -> out
ApplyAddSign: var m lr alpha sign_decay beta grad -> out
ApplyCenteredRMSProp: var mg ms mom lr rho momentum epsilon grad -> out
ApplyFtrl: var accum linear grad lr l1 l2 lr_power -> out
ApplyFtrlV2: var accum linear grad lr l1 l2 l2_shrinkage lr_power -> out
ApplyGradientDescent: var alpha delta -> out
ApplyMomentum: var accum lr grad momentum -> out
ApplyPowerSign: var m lr logbase sign_decay beta grad -> out
ApplyProximalAdagrad: var accum lr l1 l2 grad -> out
ApplyProximalGradientDescent: var alpha l1 l2 delta -> out
ApplyRMSProp: var ms mom lr rho momentum epsilon grad -> out
ApproxTopK: input -> values indices
ApproximateEqual: x y -> z
ArgMax: input dimension -> output
ArgMin: input dimension -> output
AsString: input -> output
Asin: x -> y
Asinh: x -> y
Assert: condition data*[T] ->
AssertCardinalityDataset: input_dataset cardinality -> handle
AssertNextDataset: input_dataset transformations -> handle
AssertPrevDataset: input_dataset transformations -> handle
Assign: ref value -> output_ref
AssignAdd: ref value -> output_ref
AssignAddVariableOp: resource value ->
AssignSub: ref value -> output_ref
AssignSubVariableOp: resource value ->
AssignVariableOp: resource value ->
AssignVariableXlaConcatND: resource inputs*N ->
Atan: x -> y
Atan2: y x -> z
Atanh: x -> y
Attr: ->
AttrBool: ->
AttrBoolList: ->
AttrDefault: ->
AttrEmptyListDefault: ->
AttrEnum: ->
AttrEnumList: ->
AttrFloat: ->
AttrListDefault: ->
AttrListMin: ->
AttrListTypeDefault: a*N b*N ->
AttrMin: ->
AttrPartialShape: ->
AttrPartialShapeList: ->
AttrShape: ->
AttrShapeList: ->
AttrTypeDefault: a ->
AudioMicrofrontend: audio -> filterbanks
AudioSpectrogram: input -> spectrogram
AudioSummary: tag tensor -> summary
AudioSummaryV2: tag tensor sample_rate -> summary
AutoShardDataset: input_dataset num_workers index -> handle
AvgPool: value -> output
AvgPool3D: input -> output
AvgPool3DGrad: orig_input_shape grad -> output
AvgPoolGrad: orig_input_shape grad -> output
B: -> out
BandedTriangularSolve: matrix rhs -> output
Barrier: -> handle
BarrierClose: handle ->
BarrierIncompleteSize: handle -> size
BarrierInsertMany: handle keys values ->
BarrierReadySize: handle -> size
BarrierTakeMany: handle num_elements -> indices keys values*[component_types]
Batch: in_tensors*[T] -> batched_tensors*[T] batch_index id
BatchCholesky: input -> output
BatchCholeskyGrad: l grad -> output
BatchDataset: input_dataset batch_size -> handle
BatchDatasetV2: input_dataset batch_size drop_remainder -> handle
BatchFFT: input -> output
BatchFFT2D: input -> output
BatchFFT3D: input -> output
BatchFunction: in_tensors*[Tin] captured_tensors*[Tcaptured] -> out_tensors*[Tout]
BatchIFFT: input -> output
BatchIFFT2D: input -> output
BatchIFFT3D: input -> output
BatchMatMul: x y -> output
BatchMatMulV2: x y -> output
BatchMatMulV3: x y -> output
BatchMatrixBandPart: input num_lower num_upper -> band
BatchMatrixDeterminant: input -> output
BatchMatrixDiag: diagonal -> output
BatchMatrixDiagPart: input -> diagonal
BatchMatrixInverse: input -> output
BatchMatrixSetDiag: input diagonal -> output
BatchMatrixSolve: matrix rhs -> output
BatchMatrixSolveLs: matrix rhs l2_regularizer -> output
BatchMatrixTriangularSolve: matrix rhs -> output
BatchNormWithGlobalNormalization: t m v beta gamma -> result
BatchNormWithGlobalNormalizationGrad: t m v gamma backprop -> dx dm dv db dg
BatchSelfAdjointEig: input -> output
BatchSelfAdjointEigV2: input -> e v
BatchSvd: input -> s u v
BatchToSpace: input crops -> output
BatchToSpaceND: input block_shape crops -> output
BesselI0: x -> y
BesselI0e: x -> y
BesselI1: x -> y
BesselI1e: x -> y
BesselJ0: x -> y
BesselJ1: x -> y
BesselK0: x -> y
BesselK0e: x -> y
BesselK1: x -> y
BesselK1e: x -> y
BesselY0: x -> y
BesselY1: x -> y
Betainc: a b x -> z
BiasAdd: value bias -> output
BiasAddGrad: out_backprop -> output
BiasAddV1: value bias -> output
Binary: a b -> out
Bincount: arr size weights -> bins
Bitcast: input -> output
BitwiseAnd: x y -> z
BitwiseOr: x y -> z
BitwiseXor: x y -> z
BlockLSTM: seq_len_max x cs_prev h_prev w wci wcf wco b -> i cs f o ci co h
BlockLSTMGrad: seq_len_max x cs_prev h_prev w wci wcf wco b i cs f o ci co h cs_grad h_grad -> x_grad cs_prev_grad h_prev_grad w_grad wci_grad wcf_grad wco_grad b_grad
BlockLSTMGradV2: seq_len_max x cs_prev h_prev w wci wcf wco b i cs f o ci co h cs_grad h_grad -> x_grad cs_prev_grad h_prev_grad w_grad wci_grad wcf_grad wco_grad b_grad
BlockLSTMV2: seq_len_max x cs_prev h_prev w wci wcf wco b -> i cs f o ci co h
BoostedTreesAggregateStats: node_ids gradients hessians feature -> stats_summary
BoostedTreesBucketize: float_values*num_features bucket_boundaries*num_features -> buckets*num_features
BoostedTreesCalculateBestFeatureSplit: node_id_range stats_summary l1 l2 tree_complexity min_node_weight -> node_ids gains feature_dimensions thresholds left_node_contribs right_node_contribs split_with_default_directions
BoostedTreesCalculateBestFeatureSplitV2: node_id_range stats_summaries_list*num_features split_types candidate_feature_ids l1 l2 tree_complexity min_node_weight -> node_ids gains feature_ids feature_dimensions thresholds left_node_contribs right_node_contribs split_with_default_directions
BoostedTreesCalculateBestGainsPerFeature: node_id_range stats_summary_list*num_features l1 l2 tree_complexity min_node_weight -> node_ids_list*num_features gains_list*num_features thresholds_list*num_features left_node_contribs_list*num_features right_node_contribs_list*num_features
BoostedTreesCenterBias: tree_ensemble_handle mean_gradients mean_hessians l1 l2 -> continue_centering
BoostedTreesCreateEnsemble: tree_ensemble_handle stamp_token tree_ensemble_serialized ->
BoostedTreesCreateQuantileStreamResource: quantile_stream_resource_handle epsilon num_streams ->
BoostedTreesDeserializeEnsemble: tree_ensemble_handle stamp_token tree_ensemble_serialized ->
BoostedTreesEnsembleResourceHandleOp: -> resource
BoostedTreesExampleDebugOutputs: tree_ensemble_handle bucketized_features*num_bucketized_features -> examples_debug_outputs_serialized
BoostedTreesFlushQuantileSummaries: quantile_stream_resource_handle -> summaries*num_features
BoostedTreesGetEnsembleStates: tree_ensemble_handle -> stamp_token num_trees num_finalized_trees num_attempted_layers last_layer_nodes_range
BoostedTreesMakeQuantileSummaries: float_values*num_features example_weights epsilon -> summaries*num_features
BoostedTreesMakeStatsSummary: node_ids gradients hessians bucketized_features_list*num_features -> stats_summary
BoostedTreesPredict: tree_ensemble_handle bucketized_features*num_bucketized_features -> logits
BoostedTreesQuantileStreamResourceAddSummaries: quantile_stream_resource_handle summaries*num_features ->
BoostedTreesQuantileStreamResourceDeserialize: quantile_stream_resource_handle bucket_boundaries*num_streams ->
BoostedTreesQuantileStreamResourceFlush: quantile_stream_resource_handle num_buckets ->
BoostedTreesQuantileStreamResourceGetBucketBoundaries: quantile_stream_resource_handle -> bucket_boundaries*num_features
BoostedTreesQuantileStreamResourceHandleOp: -> resource
BoostedTreesSerializeEnsemble: tree_ensemble_handle -> stamp_token tree_ensemble_serialized
BoostedTreesSparseAggregateStats: node_ids gradients hessians feature_indices feature_values feature_shape -> stats_summary_indices stats_summary_values stats_summary_shape
BoostedTreesSparseCalculateBestFeatureSplit: node_id_range stats_summary_indices stats_summary_values stats_summary_shape l1 l2 tree_complexity min_node_weight -> node_ids gains feature_dimensions thresholds left_node_contribs right_node_contribs split_with_default_directions
BoostedTreesTrainingPredict: tree_ensemble_handle cached_tree_ids cached_node_ids bucketized_features*num_bucketized_features -> partial_logits tree_ids node_ids
BoostedTreesUpdateEnsemble: tree_ensemble_handle feature_ids node_ids*num_features gains*num_features thresholds*num_features left_node_contribs*num_features right_node_contribs*num_features max_depth learning_rate ->
BoostedTreesUpdateEnsembleV2: tree_ensemble_handle feature_ids*num_groups=1 dimension_ids*num_features node_ids*num_features gains*num_features thresholds*num_features left_node_contribs*num_features right_node_contribs*num_features split_types*num_features max_depth learning_rate pruning_mode ->
BroadcastArgs: s0 s1 -> r0
BroadcastGradientArgs: s0 s1 -> r0 r1
BroadcastTo: input shape -> output
Bucketize: input -> output
BytesProducedStatsDataset: input_dataset tag -> handle
CSRSparseMatrixComponents: csr_sparse_matrix index -> row_ptrs col_inds values
CSRSparseMatrixToDense: sparse_input -> dense_output
CSRSparseMatrixToSparseTensor: sparse_matrix -> indices values dense_shape
CSVDataset: filenames compression_type buffer_size header field_delim use_quote_delim na_value select_cols record_defaults*[output_types] -> handle
CSVDatasetV2: filenames compression_type buffer_size header field_delim use_quote_delim na_value select_cols record_defaults*[output_types] exclude_cols -> handle
CTCBeamSearchDecoder: inputs sequence_length -> decoded_indices*top_paths decoded_values*top_paths decoded_shape*top_paths log_probability
CTCGreedyDecoder: inputs sequence_length -> decoded_indices decoded_values decoded_shape log_probability
CTCLoss: inputs labels_indices labels_values sequence_length -> loss gradient
CTCLossV2: inputs labels_indices labels_values sequence_length -> loss gradient
CacheDataset: input_dataset filename -> handle
CacheDatasetV2: input_dataset filename cache -> handle
CalibrationStatisticsSaver: args*[Tin] ->
Case: branch_index input*[Tin] -> output*[Tout]
Cast: x -> y
Ceil: x -> y
CheckNumerics: tensor -> output
CheckNumericsV2: tensor -> output
CheckPinned: tensor -> output
Cholesky: input -> output
CholeskyGrad: l grad -> output
ChooseFastestBranchDataset: input_dataset ratio_numerator ratio_denominator other_arguments*[Targuments] -> handle
ChooseFastestDataset: input_datasets*N -> handle
ClipByValue: t clip_value_min clip_value_max -> output
CloseSummaryWriter: writer ->
CollateTPUEmbeddingMemory: memory_configs*N -> merged_memory_config
CollectiveAllToAllV2: input group_size group_key instance_key ordering_token*Nordering_token=0 -> data
CollectiveAllToAllV3: input communicator group_assignment -> data
CollectiveAssignGroupV2: group_assignment device_index base_key -> group_size group_key
CollectiveBcastRecv: -> data
CollectiveBcastRecvV2: group_size group_key instance_key shape -> data
CollectiveBcastSend: input -> data
CollectiveBcastSendV2: input group_size group_key instance_key -> data
CollectiveGather: input -> data
CollectiveGatherV2: input group_size group_key instance_key ordering_token*Nordering_token=0 -> data
CollectiveInitializeCommunicator: group_key rank group_size -> communicator
CollectivePermute: input source_target_pairs -> output
CollectiveReduce: input -> data
CollectiveReduceScatterV2: input group_size group_key instance_key ordering_token*Nordering_token=0 -> data
CollectiveReduceV2: input group_size group_key instance_key ordering_token*Nordering_token=0 -> data
CollectiveReduceV3: input communicator group_assignment -> data
CombinedNonMaxSuppression: boxes scores max_output_size_per_class max_total_size iou_threshold score_threshold -> nmsed_boxes nmsed_scores nmsed_classes valid_detections
Complex: real imag -> out
ComplexAbs: x -> y
ComplexStruct: -> a*n_a b*n_b c*[t_c]
CompositeTensorVariantFromComponents: components*[Tcomponents] -> encoded
CompositeTensorVariantToComponents: encoded -> components*[Tcomponents]
CompressElement: components*[input_types] -> compressed
ComputeAccidentalHits: true_classes sampled_candidates -> indices ids weights
ComputeBatchSize: input_dataset -> batch_size
ComputeDedupDataSize: -> num_elements
ComputeDedupDataSizeV2: -> num_elements
ComputeDedupDataTupleMask: -> output_shape
ComputeDedupDataTupleMaskV2: -> output_shape
Concat: concat_dim values*N -> output
ConcatOffset: concat_dim shape*N -> offset*N
ConcatV2: values*N axis -> output
ConcatenateDataset: input_dataset another_dataset -> handle
ConditionalAccumulator: -> handle
ConfigureAndInitializeGlobalTPU: -> output
ConfigureDistributedTPU: -> topology
ConfigureTPUEmbedding: ->
ConfigureTPUEmbeddingHost: common_config memory_config -> network_config
ConfigureTPUEmbeddingMemory: common_config -> memory_config
Conj: input -> output
ConjugateTranspose: x perm -> y
ConnectTPUEmbeddingHosts: network_configs*N ->
Const: -> output
ConstructionFails: ->
ConsumeMutexLock: mutex_lock ->
ControlTrigger: ->
Conv: input filter -> output
Conv2D: input filter -> output
Conv2DBackpropFilter: input filter_sizes out_backprop -> output
Conv2DBackpropFilterV2: input filter out_backprop -> output
Conv2DBackpropInput: input_sizes filter out_backprop -> output
Conv2DBackpropInputV2: input filter out_backprop -> output
Conv3D: input filter -> output
Conv3DBackpropFilter: input filter out_backprop -> output
Conv3DBackpropFilterV2: input filter_sizes out_backprop -> output
Conv3DBackpropInput: input filter out_backprop -> output
Conv3DBackpropInputV2: input_sizes filter out_backprop -> output
ConvertToCooTensor: indices_or_row_splits values weights -> row_ids col_ids gains
ConvertToListOfSparseCoreCooTensors: indices_or_row_splits values weights -> row_ids_list*num_sc_per_chip col_ids_list*num_sc_per_chip gains_list*num_sc_per_chip
ConvertToSparseCoreCsrWrappedCooTensor: sorted_row_ids_list*num_sc_per_chip sorted_col_ids_list*num_sc_per_chip sorted_gains_list*num_sc_per_chip id_counts_list*num_sc_per_chip splits -> row_pointers sorted_sample_ids sorted_token_ids sorted_gains row_pointers_unpadded_size ids_unpadded_size num_minibatches_per_sc
Copy: input -> output
CopyHost: input -> output
CopyOp: a -> b
CopyToMesh: input -> output
CopyToMeshGrad: input forward_input -> output
Cos: x -> y
Cosh: x -> y
CountUpTo: ref -> output
CreateSummaryDbWriter: writer db_uri experiment_name run_name user_name ->
CreateSummaryFileWriter: writer logdir max_queue flush_millis filename_suffix ->
CropAndResize: image boxes box_ind crop_size -> crops
CropAndResizeGradBoxes: grads image boxes box_ind -> output
CropAndResizeGradImage: grads boxes box_ind image_size -> output
Cross: a b -> product
CrossReplicaSum: input group_assignment -> output
CudnnRNN: input input_h input_c params -> output output_h output_c reserve_space
CudnnRNNBackprop: input input_h input_c params output output_h output_c output_backprop output_h_backprop output_c_backprop reserve_space -> input_backprop input_h_backprop input_c_backprop params_backprop
CudnnRNNBackpropV2: input input_h input_c params output output_h output_c output_backprop output_h_backprop output_c_backprop reserve_space host_reserved -> input_backprop input_h_backprop input_c_backprop params_backprop
CudnnRNNBackpropV3: input input_h input_c params sequence_lengths output output_h output_c output_backprop output_h_backprop output_c_backprop reserve_space host_reserved -> input_backprop input_h_backprop input_c_backprop params_backprop
CudnnRNNCanonicalToParams: num_layers num_units input_size weights*num_params biases*num_params -> params
CudnnRNNCanonicalToParamsV2: num_layers num_units input_size weights*num_params_weights biases*num_params_biases -> params
CudnnRNNParamsSize: num_layers num_units input_size -> params_size
CudnnRNNParamsToCanonical: num_layers num_units input_size params -> weights*num_params biases*num_params
CudnnRNNParamsToCanonicalV2: num_layers num_units input_size params -> weights*num_params_weights biases*num_params_biases
CudnnRNNV2: input input_h input_c params -> output output_h output_c reserve_space host_reserved
CudnnRNNV3: input input_h input_c params sequence_lengths -> output output_h output_c reserve_space host_reserved
Cumprod: x axis -> out
Cumsum: x axis -> out
CumulativeLogsumexp: x axis -> out
CustomAggregator: input -> output min max histogram
DTensorAllGather: input -> output
DTensorAllReduce: input group_assignment -> output
DTensorAllScatter: input -> output
DTensorAllToAll: input -> output
DTensorReduceScatter: input group_assignment scatter_dimension -> output
DTensorRestoreV2: prefix tensor_names shape_and_slices -> tensors*[dtypes]
DTensorSetGlobalTPUArray: topology ->
DataFormatDimMap: x -> y
DataFormatVecPermute: x -> y
DataServiceDataset: dataset_id processing_mode address protocol job_name max_outstanding_requests iteration_counter -> handle
DataServiceDatasetV2: dataset_id processing_mode address protocol job_name consumer_index num_consumers max_outstanding_requests iteration_counter -> handle
DataServiceDatasetV3: dataset_id processing_mode address protocol job_name consumer_index num_consumers max_outstanding_requests iteration_counter -> handle
DataServiceDatasetV4: dataset_id processing_mode address protocol job_name consumer_index num_consumers max_outstanding_requests iteration_counter -> handle
DatasetCardinality: input_dataset -> cardinality
DatasetFingerprint: input_dataset -> fingerprint
DatasetFromGraph: graph_def -> handle
DatasetToGraph: input_dataset -> graph
DatasetToGraphV2: input_dataset -> graph
DatasetToSingleElement: dataset -> components*[output_types]
DatasetToTFRecord: input_dataset filename compression_type ->
Dawsn: x -> y
DebugGradientIdentity: input -> output
DebugGradientRefIdentity: input -> output
DebugIdentity: input -> output
DebugIdentityV2: input -> output
DebugIdentityV3: input -> output
DebugNanCount: input -> output
DebugNumericSummary: input -> output
DebugNumericSummaryV2: input -> output
DecodeAndCropJpeg: contents crop_window -> image
DecodeBase64: input -> output
DecodeBmp: contents -> image
DecodeCSV: records record_defaults*[OUT_TYPE] -> output*[OUT_TYPE]
DecodeCompressed: bytes -> output
DecodeGif: contents -> image
DecodeImage: contents -> image
DecodeJSONExample: json_examples -> binary_examples
DecodeJpeg: contents -> image
DecodeJxl: contents -> image
DecodePaddedRaw: input_bytes fixed_length -> output
DecodePng: contents -> image
DecodeProtoV2: bytes -> sizes values*[output_types]
DecodeRaw: bytes -> output
DecodeWav: contents -> audio sample_rate
DecodeWebP: contents -> image
DeepCopy: x -> y
DefaultAttrs: ->
DeleteIterator: handle deleter ->
DeleteMemoryCache: handle deleter ->
DeleteMultiDeviceIterator: multi_device_iterator iterators*N deleter ->
DeleteRandomSeedGenerator: handle deleter ->
DeleteRpcFutureResource: handle deleter ->
DeleteSeedGenerator: handle deleter ->
DeleteSessionTensor: handle ->
DenseBincount: input size weights -> output
DenseCountSparseOutput: values weights -> output_indices output_values output_dense_shape
DenseToCSRSparseMatrix: dense_input indices -> sparse_output
DenseToDenseSetOperation: set1 set2 -> result_indices result_values result_shape
DenseToSparseBatchDataset: input_dataset batch_size row_shape -> handle
DenseToSparseSetOperation: set1 set2_indices set2_values set2_shape -> result_indices result_values result_shape
DepthToSpace: input -> output
DepthwiseConv2dNative: input filter -> output
DepthwiseConv2dNativeBackpropFilter: input filter_sizes out_backprop -> output
DepthwiseConv2dNativeBackpropInput: input_sizes filter out_backprop -> output
Dequantize: input min_range max_range -> output
DeserializeIterator: resource_handle serialized ->
DeserializeManySparse: serialized_sparse -> sparse_indices sparse_values sparse_shape
DeserializeSparse: serialized_sparse -> sparse_indices sparse_values sparse_shape
DestroyResourceOp: resource ->
DestroyTemporaryVariable: ref -> value
DeviceIndex: -> index
DevicePlacementOp: -> device
Diag: diagonal -> output
DiagPart: input -> diagonal
Digamma: x -> y
Dilation2D: input filter -> output
Dilation2DBackpropFilter: input filter out_backprop -> filter_backprop
Dilation2DBackpropInput: input filter out_backprop -> in_backprop
DirectedInterleaveDataset: selector_input_dataset data_input_datasets*N -> handle
DisableCopyOnRead: resource ->
DistributedSave: dataset directory address ->
Div: x y -> z
DivNoNan: x y -> z
DrawBoundingBoxes: images boxes -> output
DrawBoundingBoxesV2: images boxes colors -> output
DtypeWithDefaultOp: in -> dtype
DummyIterationCounter: -> handle
DummyMemoryCache: -> handle
DummySeedGenerator: -> handle
DumpTensor: tensor_data ->
DynamicEnqueueTPUEmbeddingArbitraryTensorBatch: sample_indices_or_row_splits*N embedding_indices*N aggregation_weights*N mode_override device_ordinal ->
DynamicEnqueueTPUEmbeddingRaggedTensorBatch: sample_splits*N embedding_indices*N aggregation_weights*N mode_override device_ordinal ->
DynamicPartition: data partitions -> outputs*num_partitions
DynamicStitch: indices*N data*N -> merged
EagerPyFunc: input*[Tin] -> output*[Tout]
EditDistance: hypothesis_indices hypothesis_values hypothesis_shape truth_indices truth_values truth_shape -> output
Eig: input -> e v
Einsum: inputs*N -> output
Elu: features -> activations
EluGrad: gradients outputs -> backprops
Empty: shape -> output
EmptyTensorList: element_shape max_num_elements -> handle
EmptyTensorMap: -> handle
EncodeBase64: input -> output
EncodeJpeg: image -> contents
EncodeJpegVariableQuality: images quality -> contents
EncodePng: image -> contents
EncodeProto: sizes values*[Tinput_types] -> bytes
EncodeWav: audio sample_rate -> contents
EnqueueTPUEmbeddingArbitraryTensorBatch: sample_indices_or_row_splits*N embedding_indices*N aggregation_weights*N mode_override ->
EnqueueTPUEmbeddingBatch: batch*N mode_override ->
EnqueueTPUEmbeddingIntegerBatch: batch*N mode_override ->
EnqueueTPUEmbeddingRaggedTensorBatch: sample_splits*N embedding_indices*N aggregation_weights*N mode_override ->
EnqueueTPUEmbeddingSparseBatch: sample_indices*N embedding_indices*N aggregation_weights*N mode_override ->
EnqueueTPUEmbeddingSparseTensorBatch: sample_indices*N embedding_indices*N aggregation_weights*N mode_override ->
EnsureShape: input -> output
Enter: data -> output
Equal: x y -> z
Erf: x -> y
Erfc: x -> y
Erfinv: x -> y
EuclideanNorm: input reduction_indices -> output
ExecuteTPUEmbeddingPartitioner: -> common_config
Exit: data -> output
Exp: x -> y
ExpandDims: input dim -> output
ExperimentalAssertNextDataset: input_dataset transformations -> handle
ExperimentalAutoShardDataset: input_dataset num_workers index -> handle
ExperimentalBytesProducedStatsDataset: input_dataset tag -> handle
ExperimentalCSVDataset: filenames compression_type buffer_size header field_delim use_quote_delim na_value select_cols record_defaults*[output_types] -> handle
ExperimentalChooseFastestDataset: input_datasets*N -> handle
ExperimentalDatasetCardinality: input_dataset -> cardinality
ExperimentalDatasetToTFRecord: input_dataset filename compression_type ->
ExperimentalDenseToSparseBatchDataset: input_dataset batch_size row_shape -> handle
ExperimentalDirectedInterleaveDataset: selector_input_dataset data_input_datasets*N -> handle
ExperimentalGroupByReducerDataset: input_dataset key_func_other_arguments*[Tkey_func_other_arguments] init_func_other_arguments*[Tinit_func_other_arguments] reduce_func_other_arguments*[Treduce_func_other_arguments] finalize_func_other_arguments*[Tfinalize_func_other_arguments] -> handle
ExperimentalGroupByWindowDataset: input_dataset key_func_other_arguments*[Tkey_func_other_arguments] reduce_func_other_arguments*[Treduce_func_other_arguments] window_size_func_other_arguments*[Twindow_size_func_other_arguments] -> handle
ExperimentalIgnoreErrorsDataset: input_dataset -> handle
ExperimentalIteratorGetDevice: resource -> device
ExperimentalLMDBDataset: filenames -> handle
ExperimentalLatencyStatsDataset: input_dataset tag -> handle
ExperimentalMapAndBatchDataset: input_dataset other_arguments*[Targuments] batch_size num_parallel_calls drop_remainder -> handle
ExperimentalMapDataset: input_dataset other_arguments*[Targuments] -> handle
ExperimentalMatchingFilesDataset: patterns -> handle
ExperimentalMaxIntraOpParallelismDataset: input_dataset max_intra_op_parallelism -> handle
ExperimentalNonSerializableDataset: input_dataset -> handle
ExperimentalParallelInterleaveDataset: input_dataset other_arguments*[Targuments] cycle_length block_length sloppy buffer_output_elements prefetch_input_elements -> handle
ExperimentalParseExampleDataset: input_dataset num_parallel_calls dense_defaults*[Tdense] -> handle
ExperimentalPrivateThreadPoolDataset: input_dataset num_threads -> handle
ExperimentalRandomDataset: seed seed2 -> handle
ExperimentalRebatchDataset: input_dataset num_replicas -> handle
ExperimentalScanDataset: input_dataset initial_state*[Tstate] other_arguments*[Targuments] -> handle
ExperimentalSetStatsAggregatorDataset: input_dataset stats_aggregator tag counter_prefix -> handle
ExperimentalSleepDataset: input_dataset sleep_microseconds -> handle
ExperimentalSlidingWindowDataset: input_dataset window_size window_shift window_stride -> handle
ExperimentalSqlDataset: driver_name data_source_name query -> handle
ExperimentalStatsAggregatorHandle: -> handle
ExperimentalStatsAggregatorSummary: iterator -> summary
ExperimentalTakeWhileDataset: input_dataset other_arguments*[Targuments] -> handle
ExperimentalThreadPoolDataset: input_dataset thread_pool -> handle
ExperimentalThreadPoolHandle: -> handle
ExperimentalUnbatchDataset: input_dataset -> handle
ExperimentalUniqueDataset: input_dataset -> handle
Expint: x -> y
Expm1: x -> y
ExtractGlimpse: input size offsets -> glimpse
ExtractGlimpseV2: input size offsets -> glimpse
ExtractImagePatches: images -> patches
ExtractJpegShape: contents -> image_shape
ExtractVolumePatches: input -> patches
FFT: input -> output
FFT2D: input -> output
FFT3D: input -> output
FFTND: input fft_length axes -> output
FIFOQueue: -> handle
FIFOQueueV2: -> handle
Fact: -> fact
FakeParam: -> output
FakeQuantWithMinMaxArgs: inputs -> outputs
FakeQuantWithMinMaxArgsGradient: gradients inputs -> backprops
FakeQuantWithMinMaxVars: inputs min max -> outputs
FakeQuantWithMinMaxVarsGradient: gradients inputs min max -> backprops_wrt_input backprop_wrt_min backprop_wrt_max
FakeQuantWithMinMaxVarsPerChannel: inputs min max -> outputs
FakeQuantWithMinMaxVarsPerChannelGradient: gradients inputs min max -> backprops_wrt_input backprop_wrt_min backprop_wrt_max
FakeQueue: resource -> handle
FileSystemSetConfiguration: scheme key value ->
Fill: dims value -> output
FilterByLastComponentDataset: input_dataset -> output
FilterDataset: input_dataset other_arguments*[Targuments] -> handle
FinalizeDataset: input_dataset -> handle
FinalizeTPUEmbedding: common_config memory_config ->
FinalizeTPUEmbeddingV2: common_config memory_config -> embedding_partitions hbm_buffers_config
Fingerprint: data method -> fingerprint
FiveFloatOutputs: -> a b c d e
FixedLengthRecordDataset: filenames header_bytes record_bytes footer_bytes buffer_size -> handle
FixedLengthRecordDatasetV2: filenames header_bytes record_bytes footer_bytes buffer_size compression_type -> handle
FixedLengthRecordReader: -> reader_handle
FixedLengthRecordReaderV2: -> reader_handle
FixedUnigramCandidateSampler: true_classes -> sampled_candidates true_expected_count sampled_expected_count
FlatMapDataset: input_dataset other_arguments*[Targuments] -> handle
FloatInput: a ->
FloatOutput: -> a
FloatOutputStringOutput: -> a b
Floor: x -> y
FloorDiv: x y -> z
FloorMod: x y -> z
FlushSummaryWriter: writer ->
Foo1: a b c -> d e
Foo2: a b c -> d e
Foo3: a b c -> d e
For: start limit delta input*[T] -> output*[T]
FractionalAvgPool: value -> output row_pooling_sequence col_pooling_sequence
FractionalAvgPoolGrad: orig_input_tensor_shape out_backprop row_pooling_sequence col_pooling_sequence -> output
FractionalMaxPool: value -> output row_pooling_sequence col_pooling_sequence
FractionalMaxPoolGrad: orig_input orig_output out_backprop row_pooling_sequence col_pooling_sequence -> output
FresnelCos: x -> y
FresnelSin: x -> y
FuncAttr: ->
FuncListAttr: ->
FusedBatchNorm: x scale offset mean variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2
FusedBatchNormGrad: y_backprop x scale reserve_space_1 reserve_space_2 -> x_backprop scale_backprop offset_backprop reserve_space_3 reserve_space_4
FusedBatchNormGradV2: y_backprop x scale reserve_space_1 reserve_space_2 -> x_backprop scale_backprop offset_backprop reserve_space_3 reserve_space_4
FusedBatchNormGradV3: y_backprop x scale reserve_space_1 reserve_space_2 reserve_space_3 -> x_backprop scale_backprop offset_backprop reserve_space_4 reserve_space_5
FusedBatchNormV2: x scale offset mean variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2
FusedBatchNormV3: x scale offset mean variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2 reserve_space_3
FusedPadConv2D: input paddings filter -> output
FusedResizeAndPadConv2D: input size paddings filter -> output
GRUBlockCell: x h_prev w_ru w_c b_ru b_c -> r u c h
GRUBlockCellGrad: x h_prev w_ru w_c b_ru b_c r u c d_h -> d_x d_h_prev d_c_bar d_r_bar_u_bar
Gather: params indices -> output
GatherNd: params indices -> output
GatherV2: params indices axis -> output
GenerateBoundingBoxProposals: scores bbox_deltas image_info anchors nms_threshold pre_nms_topn min_size -> rois roi_probabilities
GenerateVocabRemapping: new_vocab_file old_vocab_file -> remapping num_present
GeneratorDataset: init_func_other_args*[Tinit_func_args] next_func_other_args*[Tnext_func_args] finalize_func_other_args*[Tfinalize_func_args] -> handle
GetDeadline: -> deadline_from_epoch_micros
GetElementAtIndex: dataset index -> components*[output_types]
GetMinibatchSplitsWithPhysicalReplica: program_key row_ids col_ids gains -> sorted_row_ids sorted_col_ids sorted_gains splits id_counts max_ids max_uniques
GetMinibatchesInCsrWithPhysicalReplica: program_key row_ids col_ids gains splits id_counts -> row_pointers sorted_sample_ids sorted_token_ids sorted_gains row_pointers_unpadded_size ids_unpadded_size num_minibatches_per_physical_sparse_core
GetOptions: input_dataset -> serialized_options
GetSessionHandle: value -> handle
GetSessionHandleV2: value -> handle
GetSessionTensor: handle -> value
GetStatsFromListOfSparseCoreCooTensors: row_ids_list*N col_ids_list*N gains_list*N -> max_ids_per_sparse_core max_unique_ids_per_sparse_core
GetTpuTaskId: -> tpu_task_id
GlobalIterId: -> iter_id
GlobalShuffleDataset: input_dataset seed seed2 seed_generator -> handle
GraphDefVersion: -> version
Greater: x y -> z
GreaterEqual: x y -> z
GroupByReducerDataset: input_dataset key_func_other_arguments*[Tkey_func_other_arguments] init_func_other_arguments*[Tinit_func_other_arguments] reduce_func_other_arguments*[Treduce_func_other_arguments] finalize_func_other_arguments*[Tfinalize_func_other_arguments] -> handle
GroupByWindowDataset: input_dataset key_func_other_arguments*[Tkey_func_other_arguments] reduce_func_other_arguments*[Treduce_func_other_arguments] window_size_func_other_arguments*[Twindow_size_func_other_arguments] -> handle
GuaranteeConst: input -> output
HSVToRGB: images -> output
HashTable: -> table_handle
HashTableV2: -> table_handle
HistogramFixedWidth: values value_range nbins -> out
HistogramSummary: tag values -> summary
HostConst: -> output
IFFT: input -> output
IFFT2D: input -> output
IFFT3D: input -> output
IFFTND: input fft_length axes -> output
IRFFT: input fft_length -> output
IRFFT2D: input fft_length -> output
IRFFT3D: input fft_length -> output
IRFFTND: input fft_length axes -> output
Identity: input -> output
IdentityN: input*[T] -> output*[T]
IdentityReader: -> reader_handle
IdentityReaderV2: -> reader_handle
If: cond input*[Tin] -> output*[Tout]
Igamma: a x -> z
IgammaGradA: a x -> z
Igammac: a x -> z
IgnoreErrorsDataset: input_dataset -> handle
Imag: input -> output
ImageProjectiveTransformV2: images transforms output_shape -> transformed_images
ImageProjectiveTransformV3: images transforms output_shape fill_value -> transformed_images
ImageSummary: tag tensor -> summary
ImmutableConst: -> tensor
ImportEvent: writer event ->
InPolymorphicTwice: a*N b*M ->
InTopK: predictions targets -> precision
InTopKV2: predictions targets k -> precision
IndexFlatMapDataset: input_dataset map_func_other_args*[Tmap_func_args] index_map_func_other_args*[Tindex_map_func_args] output_cardinality -> handle
InfeedDequeue: -> output
InfeedDequeueTuple: -> outputs*[dtypes]
InfeedEnqueue: input ->
InfeedEnqueuePrelinearizedBuffer: input ->
InfeedEnqueueTuple: inputs*[dtypes] ->
InitializeTable: table_handle keys values ->
InitializeTableFromDataset: table_handle dataset ->
InitializeTableFromTextFile: table_handle filename ->
InitializeTableFromTextFileV2: table_handle filename ->
InitializeTableV2: table_handle keys values ->
InplaceAdd: x i v -> y
InplaceSub: x i v -> y
InplaceUpdate: x i v -> y
Int64Output: -> out
IntAttr: -> out
IntInput: a ->
IntInputFloatInput: a b ->
IntInputIntOutput: a -> b
IntOutput: -> a
IntOutputFloatOutput: -> a b
InterleaveDataset: input_dataset other_arguments*[Targuments] cycle_length block_length -> handle
Inv: x -> y
InvGrad: y dy -> z
Invert: x -> y
InvertPermutation: x -> y
IsBoostedTreesEnsembleInitialized: tree_ensemble_handle -> is_initialized
IsBoostedTreesQuantileStreamResourceInitialized: quantile_stream_resource_handle -> is_initialized
IsFinite: x -> y
IsInf: x -> y
IsNan: x -> y
IsResourceHandleRefCounting: handle -> result
IsTPUEmbeddingInitialized: -> is_tpu_embedding_initialized
IsTensorFloat32Enabled: -> enabled
IsVariableInitialized: ref -> is_initialized
IsotonicRegression: input -> output segments
Iterator: -> handle
IteratorFromStringHandle: string_handle -> resource_handle
IteratorFromStringHandleV2: string_handle -> resource_handle
IteratorGetDevice: resource -> device
IteratorGetModelProto: iterator -> model_proto
IteratorGetNext: iterator -> components*[output_types]
IteratorGetNextAsOptional: iterator -> optional
IteratorGetNextSync: iterator -> components*[output_types]
IteratorToStringHandle: resource_handle -> string_handle
IteratorV2: -> handle
KMC2ChainInitialization: distances seed -> index
KernelLabel: -> result
KernelLabelRequired: input -> result
KmeansPlusPlusInitialization: points num_to_sample seed num_retries_per_sample -> samples
KthOrderStatistic: input -> output
L2Loss: t -> output
LMDBDataset: filenames -> handle
LMDBReader: -> reader_handle
LRN: input -> output
LRNGrad: input_grads input_image output_image -> output
LSTMBlockCell: x cs_prev h_prev w wci wcf wco b -> i cs f o ci co h
LSTMBlockCellGrad: x cs_prev h_prev w wci wcf wco b i cs f o ci co cs_grad h_grad -> cs_prev_grad dicfo wci_grad wcf_grad wco_grad
LatencyStatsDataset: input_dataset tag -> handle
LeakyRelu: features -> activations
LeakyReluGrad: gradients features -> backprops
LearnedUnigramCandidateSampler: true_classes -> sampled_candidates true_expected_count sampled_expected_count
LeftShift: x y -> z
LegacyParallelInterleaveDatasetV2: input_dataset other_arguments*[Targuments] cycle_length block_length buffer_output_elements prefetch_input_elements -> handle
Less: x y -> z
LessEqual: x y -> z
Lgamma: x -> y
LinSpace: start stop num -> output
ListDataset: tensors*[Tinput_types] -> handle
ListDiff: x y -> out idx
ListInput: a*N ->
ListOutput: -> a*[T]
ListSnapshotChunksDataset: snapshot_path -> handle
LoadAllTPUEmbeddingParameters: parameters*NumTables auxiliary1*NumTables auxiliary2*NumTables auxiliary3*NumTables auxiliary4*NumTables auxiliary5*NumTables auxiliary6*NumTables auxiliary7*NumTables ->
LoadAndRemapMatrix: ckpt_path old_tensor_name row_remapping col_remapping initializing_values -> output_matrix
LoadDataset: path reader_func_other_args*[Treader_func_args] -> handle
LoadTPUEmbeddingADAMParameters: parameters momenta velocities ->
LoadTPUEmbeddingAdadeltaParameters: parameters accumulators updates ->
LoadTPUEmbeddingAdagradMomentumParameters: parameters accumulators momenta ->
LoadTPUEmbeddingAdagradParameters: parameters accumulators ->
LoadTPUEmbeddingCenteredRMSPropParameters: parameters ms mom mg ->
LoadTPUEmbeddingFTRLParameters: parameters accumulators linears ->
LoadTPUEmbeddingFrequencyEstimatorParameters: parameters last_hit_step ->
LoadTPUEmbeddingMDLAdagradLightParameters: parameters accumulators weights benefits ->
LoadTPUEmbeddingMomentumParameters: parameters momenta ->
LoadTPUEmbeddingProximalAdagradParameters: parameters accumulators ->
LoadTPUEmbeddingProximalYogiParameters: parameters v m ->
LoadTPUEmbeddingRMSPropParameters: parameters ms mom ->
LoadTPUEmbeddingStochasticGradientDescentParameters: parameters ->
Log: x -> y
Log1p: x -> y
LogMatrixDeterminant: input -> sign log_abs_determinant
LogSoftmax: logits -> logsoftmax
LogUniformCandidateSampler: true_classes -> sampled_candidates true_expected_count sampled_expected_count
LogicalAnd: x y -> z
LogicalNot: x -> y
LogicalOr: x y -> z
LookupTableExport: table_handle -> keys values
LookupTableExportV2: table_handle -> keys values
LookupTableFind: table_handle keys default_value -> values
LookupTableFindV2: table_handle keys default_value -> values
LookupTableImport: table_handle keys values ->
LookupTableImportV2: table_handle keys values ->
LookupTableInsert: table_handle keys values ->
LookupTableInsertV2: table_handle keys values ->
LookupTableRemoveV2: table_handle keys ->
LookupTableSize: table_handle -> size
LookupTableSizeV2: table_handle -> size
LoopCond: input -> output
LowerBound: sorted_inputs values -> output
Lu: input -> lu p
MakeIterator: dataset iterator ->
MakeUnique: input -> output
MakeWeakResourceHandle: handle -> dup
MapAndBatchDataset: input_dataset other_arguments*[Targuments] batch_size num_parallel_calls drop_remainder -> handle
MapClear: ->
MapDataset: input_dataset other_arguments*[Targuments] -> handle
MapDefun: arguments*[Targuments] captured_inputs*[Tcaptured]=0 -> output*[output_types]
MapIncompleteSize: -> size
MapPeek: key indices -> values*[dtypes]
MapSize: -> size
MapStage: key indices values*[fake_dtypes] ->
MapUnstage: key indices -> values*[dtypes]
MapUnstageNoKey: indices -> key values*[dtypes]
MatMul: a b -> product
MatchingFiles: pattern -> filenames
MatchingFilesDataset: patterns -> handle
MatrixBandPart: input num_lower num_upper -> band
MatrixDeterminant: input -> output
MatrixDiag: diagonal -> output
MatrixDiagPart: input -> diagonal
MatrixDiagPartV2: input k padding_value -> diagonal
MatrixDiagPartV3: input k padding_value -> diagonal
MatrixDiagV2: diagonal k num_rows num_cols padding_value -> output
MatrixDiagV3: diagonal k num_rows num_cols padding_value -> output
MatrixExponential: input -> output
MatrixInverse: input -> output
MatrixLogarithm: input -> output
MatrixSetDiag: input diagonal -> output
MatrixSetDiagV2: input diagonal k -> output
MatrixSetDiagV3: input diagonal k -> output
MatrixSolve: matrix rhs -> output
MatrixSolveLs: matrix rhs l2_regularizer -> output
MatrixSquareRoot: input -> output
MatrixTriangularSolve: matrix rhs -> output
Max: input reduction_indices -> output
MaxIntraOpParallelismDataset: input_dataset max_intra_op_parallelism -> handle
MaxPool: input -> output
MaxPool3D: input -> output
MaxPool3DGrad: orig_input orig_output grad -> output
MaxPool3DGradGrad: orig_input orig_output grad -> output
MaxPoolGrad: orig_input orig_output grad -> output
MaxPoolGradGrad: orig_input orig_output grad -> output
MaxPoolGradGradV2: orig_input orig_output grad ksize strides -> output
MaxPoolGradGradWithArgmax: input grad argmax -> output
MaxPoolGradV2: orig_input orig_output grad ksize strides -> output
MaxPoolGradWithArgmax: input grad argmax -> output
MaxPoolV2: input ksize strides -> output
MaxPoolWithArgmax: input -> output argmax
Maximum: x y -> z
Mean: input reduction_indices -> output
Merge: inputs*N -> output value_index
MergeDedupData: integer_tensor float_tensor -> output
MergeSummary: inputs*N -> summary
MergeV2Checkpoints: checkpoint_prefixes destination_prefix ->
Mfcc: spectrogram sample_rate -> output
Min: input reduction_indices -> output
Minimum: x y -> z
MirrorPad: input paddings -> output
MirrorPadGrad: input paddings -> output
MixedStruct: -> a*n_a b
MlirPassthroughOp: inputs*[Tinputs] -> outputs*[Toutputs]
Mod: x y -> z
ModelDataset: input_dataset -> handle
Mul: x y -> z
MulNoNan: x y -> z
MultiDeviceIterator: -> handle
MultiDeviceIteratorFromStringHandle: string_handle -> multi_device_iterator
MultiDeviceIteratorGetNextFromShard: multi_device_iterator shard_num incarnation_id -> components*[output_types]
MultiDeviceIteratorInit: dataset multi_device_iterator max_buffer_size -> incarnation_id
MultiDeviceIteratorToStringHandle: multi_device_iterator -> string_handle
Multinomial: logits num_samples -> output
MutableDenseHashTable: empty_key -> table_handle
MutableDenseHashTableV2: empty_key deleted_key -> table_handle
MutableHashTable: -> table_handle
MutableHashTableOfTensors: -> table_handle
MutableHashTableOfTensorsV2: -> table_handle
MutableHashTableV2: -> table_handle
MutexLock: mutex -> mutex_lock
MutexV2: -> resource
NInPolymorphicTwice: a*N b*N ->
NInTwice: a*N b*N ->
NInTwoTypeVariables: a*N b*N ->
NIntsIn: a*N ->
NIntsOut: -> a*N
NIntsOutDefault: -> a*N=3
NPolymorphicIn: a*N ->
NPolymorphicOut: -> a*N
NPolymorphicOutDefault: -> a*N=2
NPolymorphicRestrictIn: a*N ->
NPolymorphicRestrictOut: -> a*N
Namespace>TestStringOutput: input -> output1 output2
NcclAllReduce: input -> data
NcclBroadcast: input -> output
NcclReduce: input*num_devices -> data
Ndtri: x -> y
NearestNeighbors: points centers k -> nearest_center_indices nearest_center_distances
Neg: x -> y
NegTrain: w_in w_out examples labels lr ->
NextAfter: x1 x2 -> output
NextIteration: data -> output
NoOp: ->
NonDeterministicInts: shape -> output
NonMaxSuppression: boxes scores max_output_size -> selected_indices
NonMaxSuppressionV2: boxes scores max_output_size iou_threshold -> selected_indices
NonMaxSuppressionV3: boxes scores max_output_size iou_threshold score_threshold -> selected_indices
NonMaxSuppressionV4: boxes scores max_output_size iou_threshold score_threshold -> selected_indices valid_outputs
NonMaxSuppressionV5: boxes scores max_output_size iou_threshold score_threshold soft_nms_sigma -> selected_indices selected_scores valid_outputs
NonMaxSuppressionWithOverlaps: overlaps scores max_output_size overlap_threshold score_threshold -> selected_indices
NonSerializableDataset: input_dataset -> handle
None: ->
NotEqual: x y -> z
NthElement: input n -> values
Old: ->
OneHot: indices depth on_value off_value -> output
OneShotIterator: -> handle
OnesLike: x -> y
OpWithDefaultAttr: -> a
OpWithFutureDefaultAttr: ->
OptimizeDataset: input_dataset optimizations -> handle
OptimizeDatasetV2: input_dataset optimizations_enabled optimizations_disabled optimizations_default -> handle
OptionalFromValue: components*[Toutput_types] -> optional
OptionalGetValue: optional -> components*[output_types]
OptionalHasValue: optional -> has_value
OptionalNone: -> optional
OptionsDataset: input_dataset -> handle
OrderedMapClear: ->
OrderedMapIncompleteSize: -> size
OrderedMapPeek: key indices -> values*[dtypes]
OrderedMapSize: -> size
OrderedMapStage: key indices values*[fake_dtypes] ->
OrderedMapUnstage: key indices -> values*[dtypes]
OrderedMapUnstageNoKey: indices -> key values*[dtypes]
OutT: -> a
OutTypeList: -> out*[T]
OutTypeListRestrict: -> out*[t]
OutfeedDequeue: -> output
OutfeedDequeueTuple: -> outputs*[dtypes]
OutfeedDequeueTupleV2: device_ordinal -> outputs*[dtypes]
OutfeedDequeueV2: device_ordinal -> output
OutfeedEnqueue: input ->
OutfeedEnqueueTuple: inputs*[dtypes] ->
Pack: values*N -> output
Pad: input paddings -> output
PadV2: input paddings constant_values -> output
PaddedBatchDataset: input_dataset batch_size padded_shapes*N padding_values*[Toutput_types] -> handle
PaddedBatchDatasetV2: input_dataset batch_size padded_shapes*N padding_values*[Toutput_types] drop_remainder -> handle
PaddingFIFOQueue: -> handle
PaddingFIFOQueueV2: -> handle
ParallelBatchDataset: input_dataset batch_size num_parallel_calls drop_remainder -> handle
ParallelConcat: values*N -> output
ParallelDynamicStitch: indices*N data*N -> merged
ParallelFilterDataset: input_dataset other_arguments*[Targuments] num_parallel_calls -> handle
ParallelInterleaveDataset: input_dataset other_arguments*[Targuments] cycle_length block_length sloppy buffer_output_elements prefetch_input_elements -> handle
ParallelInterleaveDatasetV2: input_dataset other_arguments*[Targuments] cycle_length block_length num_parallel_calls -> handle
ParallelInterleaveDatasetV3: input_dataset other_arguments*[Targuments] cycle_length block_length num_parallel_calls -> handle
ParallelInterleaveDatasetV4: input_dataset other_arguments*[Targuments] cycle_length block_length buffer_output_elements prefetch_input_elements num_parallel_calls -> handle
ParallelMapDataset: input_dataset other_arguments*[Targuments] num_parallel_calls -> handle
ParallelMapDatasetV2: input_dataset other_arguments*[Targuments] num_parallel_calls -> handle
ParameterizedTruncatedNormal: shape means stdevs minvals maxvals -> output
ParseExample: serialized names sparse_keys*Nsparse dense_keys*Ndense dense_defaults*[Tdense] -> sparse_indices*Nsparse sparse_values*[sparse_types] sparse_shapes*Nsparse dense_values*[Tdense]
ParseExampleDataset: input_dataset num_parallel_calls dense_defaults*[Tdense] -> handle
ParseExampleDatasetV2: input_dataset num_parallel_calls dense_defaults*[Tdense] -> handle
ParseExampleV2: serialized names sparse_keys dense_keys ragged_keys dense_defaults*[Tdense] -> sparse_indices*num_sparse sparse_values*[sparse_types] sparse_shapes*num_sparse dense_values*[Tdense] ragged_values*[ragged_value_types] ragged_row_splits*[ragged_split_types]
ParseSequenceExample: serialized debug_name context_dense_defaults*[Tcontext_dense]=0 -> context_sparse_indices*Ncontext_sparse=0 context_sparse_values*[context_sparse_types]=0 context_sparse_shapes*Ncontext_sparse=0 context_dense_values*[Tcontext_dense]=0 feature_list_sparse_indices*Nfeature_list_sparse=0 feature_list_sparse_values*[feature_list_sparse_types]=0 feature_list_sparse_shapes*Nfeature_list_sparse=0 feature_list_dense_values*[feature_list_dense_types]=0 feature_list_dense_lengths*Nfeature_list_dense=0
ParseSequenceExampleV2: serialized debug_name context_sparse_keys context_dense_keys context_ragged_keys feature_list_sparse_keys feature_list_dense_keys feature_list_ragged_keys feature_list_dense_missing_assumed_empty context_dense_defaults*[Tcontext_dense]=0 -> context_sparse_indices*Ncontext_sparse=0 context_sparse_values*[context_sparse_types]=0 context_sparse_shapes*Ncontext_sparse=0 context_dense_values*[Tcontext_dense]=0 context_ragged_values*[context_ragged_value_types]=0 context_ragged_row_splits*[context_ragged_split_types]=0 feature_list_sparse_indices*Nfeature_list_sparse=0 feature_list_sparse_values*[feature_list_sparse_types]=0 feature_list_sparse_shapes*Nfeature_list_sparse=0 feature_list_dense_values*[feature_list_dense_types]=0 feature_list_dense_lengths*Nfeature_list_dense=0 feature_list_ragged_values*[feature_list_ragged_value_types]=0 feature_list_ragged_outer_splits*[feature_list_ragged_split_types]=0 feature_list_ragged_inner_splits*[feature_list_ragged_split_types]=0
ParseSingleExample: serialized dense_defaults*[Tdense] -> sparse_indices*num_sparse sparse_values*[sparse_types] sparse_shapes*num_sparse dense_values*[Tdense]
ParseSingleSequenceExample: serialized feature_list_dense_missing_assumed_empty context_sparse_keys*Ncontext_sparse=0 context_dense_keys*Ncontext_dense=0 feature_list_sparse_keys*Nfeature_list_sparse=0 feature_list_dense_keys*Nfeature_list_dense=0 context_dense_defaults*[Tcontext_dense]=0 debug_name -> context_sparse_indices*Ncontext_sparse=0 context_sparse_values*[context_sparse_types]=0 context_sparse_shapes*Ncontext_sparse=0 context_dense_values*[Tcontext_dense]=0 feature_list_sparse_indices*Nfeature_list_sparse=0 feature_list_sparse_values*[feature_list_sparse_types]=0 feature_list_sparse_shapes*Nfeature_list_sparse=0 feature_list_dense_values*[feature_list_dense_types]=0
ParseTensor: serialized -> output
PartitionedCall: args*[Tin] -> output*[Tout]
Placeholder: -> output
PlaceholderV2: -> output
PlaceholderWithDefault: input -> output
Polygamma: a x -> z
Polymorphic: a -> out
PolymorphicDefaultOut: -> out
PolymorphicOut: -> out
PopulationCount: x -> y
Pow: x y -> z
PrefetchDataset: input_dataset buffer_size -> handle
Prelinearize: input -> output
PrelinearizeTuple: inputs*[dtypes] -> output
PreventGradient: input -> output
Print: input data*[U] -> output
PrintV2: input ->
PriorityQueue: -> handle
PriorityQueueV2: -> handle
PrivateThreadPoolDataset: input_dataset num_threads -> handle
Prod: input reduction_indices -> output
PyFunc: input*[Tin] -> output*[Tout]
PyFuncStateless: input*[Tin] -> output*[Tout]
Qr: input -> q r
QuantizeAndDequantize: input -> output
QuantizeAndDequantizeV2: input input_min input_max -> output
QuantizeAndDequantizeV3: input input_min input_max num_bits -> output
QuantizeAndDequantizeV4: input input_min input_max -> output
QuantizeAndDequantizeV4Grad: gradients input input_min input_max -> input_backprop input_min_backprop input_max_backprop
QuantizeDownAndShrinkRange: input input_min input_max -> output output_min output_max
QuantizeV2: input min_range max_range -> output output_min output_max
QuantizedAdd: x y min_x max_x min_y max_y -> z min_z max_z
QuantizedAvgPool: input min_input max_input -> output min_output max_output
QuantizedBatchNormWithGlobalNormalization: t t_min t_max m m_min m_max v v_min v_max beta beta_min beta_max gamma gamma_min gamma_max -> result result_min result_max
QuantizedBiasAdd: input bias min_input max_input min_bias max_bias -> output min_out max_out
QuantizedConcat: concat_dim values*N input_mins*N input_maxes*N -> output output_min output_max
QuantizedConcatV2: values*N axis input_mins*N input_maxes*N -> output output_min output_max
QuantizedConv2D: input filter min_input max_input min_filter max_filter -> output min_output max_output
QuantizedConv2DAndRelu: input filter min_input max_input min_filter max_filter -> output min_output max_output
QuantizedConv2DAndReluAndRequantize: input filter min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
QuantizedConv2DAndRequantize: input filter min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
QuantizedConv2DPerChannel: input filter min_input max_input min_filter max_filter -> output min_output max_output
QuantizedConv2DWithBias: input filter bias min_input max_input min_filter max_filter -> output min_output max_output
QuantizedConv2DWithBiasAndRelu: input filter bias min_input max_input min_filter max_filter -> output min_output max_output
QuantizedConv2DWithBiasAndReluAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
QuantizedConv2DWithBiasAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
QuantizedConv2DWithBiasSignedSumAndReluAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output summand min_summand max_summand -> output min_output max_output
QuantizedConv2DWithBiasSumAndRelu: input filter bias min_input max_input min_filter max_filter summand -> output min_output max_output
QuantizedConv2DWithBiasSumAndReluAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output summand min_summand max_summand -> output min_output max_output
QuantizedDepthwiseConv2D: input filter min_input max_input min_filter max_filter -> output min_output max_output
QuantizedDepthwiseConv2DWithBias: input filter bias min_input max_input min_filter max_filter -> output min_output max_output
QuantizedDepthwiseConv2DWithBiasAndRelu: input filter bias min_input max_input min_filter max_filter -> output min_output max_output
QuantizedDepthwiseConv2DWithBiasAndReluAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
QuantizedInstanceNorm: x x_min x_max -> y y_min y_max
QuantizedMatMul: a b min_a max_a min_b max_b -> out min_out max_out
QuantizedMatMulWithBias: a b bias min_a max_a min_b max_b -> out min_out max_out
QuantizedMatMulWithBiasAndDequantize: a b bias min_a max_a min_b max_b min_freezed_output max_freezed_output -> out
QuantizedMatMulWithBiasAndRelu: a b bias min_a max_a min_b max_b -> out min_out max_out
QuantizedMatMulWithBiasAndReluAndRequantize: a b bias min_a max_a min_b max_b min_freezed_output max_freezed_output -> out min_out max_out
QuantizedMatMulWithBiasAndRequantize: a b bias min_a max_a min_b max_b min_freezed_output max_freezed_output -> out min_out max_out
QuantizedMaxPool: input min_input max_input -> output min_output max_output
QuantizedMul: x y min_x max_x min_y max_y -> z min_z max_z
QuantizedRelu: features min_features max_features -> activations min_activations max_activations
QuantizedRelu6: features min_features max_features -> activations min_activations max_activations
QuantizedReluX: features max_value min_features max_features -> activations min_activations max_activations
QuantizedReshape: tensor shape input_min input_max -> output output_min output_max
QuantizedResizeBilinear: images size min max -> resized_images out_min out_max
QueueClose: handle ->
QueueCloseV2: handle ->
QueueDequeue: handle -> components*[component_types]
QueueDequeueMany: handle n -> components*[component_types]
QueueDequeueManyV2: handle n -> components*[component_types]
QueueDequeueUpTo: handle n -> components*[component_types]
QueueDequeueUpToV2: handle n -> components*[component_types]
QueueDequeueV2: handle -> components*[component_types]
QueueEnqueue: handle components*[Tcomponents] ->
QueueEnqueueMany: handle components*[Tcomponents] ->
QueueEnqueueManyV2: handle components*[Tcomponents] ->
QueueEnqueueV2: handle components*[Tcomponents] ->
QueueIsClosed: handle -> is_closed
QueueIsClosedV2: handle -> is_closed
QueueSize: handle -> size
QueueSizeV2: handle -> size
RFFT: input fft_length -> output
RFFT2D: input fft_length -> output
RFFT3D: input fft_length -> output
RFFTND: input fft_length axes -> output
RGBToHSV: images -> output
RaggedBincount: splits values size weights -> output
RaggedCountSparseOutput: splits values weights -> output_indices output_values output_dense_shape
RaggedCross: ragged_values*[ragged_values_types] ragged_row_splits*[ragged_splits_types] sparse_indices*Nsparse sparse_values*[sparse_values_types] sparse_shape*Nsparse dense_inputs*[dense_types] -> output_values output_row_splits
RaggedFillEmptyRows: value_rowids values nrows default_value -> output_value_rowids output_values empty_row_indicator reverse_index_map
RaggedFillEmptyRowsGrad: reverse_index_map grad_values -> d_values d_default_value
RaggedGather: params_nested_splits*PARAMS_RAGGED_RANK params_dense_values indices -> output_nested_splits*OUTPUT_RAGGED_RANK output_dense_values
RaggedRange: starts limits deltas -> rt_nested_splits rt_dense_values
RaggedTensorFromVariant: encoded_ragged -> output_nested_splits*output_ragged_rank output_dense_values
RaggedTensorToSparse: rt_nested_splits*RAGGED_RANK rt_dense_values -> sparse_indices sparse_values sparse_dense_shape
RaggedTensorToTensor: shape values default_value row_partition_tensors*num_row_partition_tensors -> result
RaggedTensorToVariant: rt_nested_splits*RAGGED_RANK rt_dense_values -> encoded_ragged
RaggedTensorToVariantGradient: encoded_ragged_grad row_splits dense_values_shape -> dense_values_grad
RandomCrop: image size -> output
RandomDataset: seed seed2 -> handle
RandomDatasetV2: seed seed2 seed_generator -> handle
RandomGamma: shape alpha -> output
RandomGammaGrad: alpha sample -> output
RandomIndexShuffle: index seed max_index -> output
RandomPoisson: shape rate -> output
RandomPoissonV2: shape rate -> output
RandomShuffle: value -> output
RandomShuffleQueue: -> handle
RandomShuffleQueueV2: -> handle
RandomStandardNormal: shape -> output
RandomUniform: shape -> output
RandomUniformInt: shape minval maxval -> output
Range: start limit delta -> output
RangeDataset: start stop step -> handle
Rank: input -> output
ReadFile: filename -> contents
ReadVariableOp: resource -> value
ReadVariableXlaSplitND: resource -> outputs*N
ReaderNumRecordsProduced: reader_handle -> records_produced
ReaderNumRecordsProducedV2: reader_handle -> records_produced
ReaderNumWorkUnitsCompleted: reader_handle -> units_completed
ReaderNumWorkUnitsCompletedV2: reader_handle -> units_completed
ReaderRead: reader_handle queue_handle -> key value
ReaderReadUpTo: reader_handle queue_handle num_records -> keys values
ReaderReadUpToV2: reader_handle queue_handle num_records -> keys values
ReaderReadV2: reader_handle queue_handle -> key value
ReaderReset: reader_handle ->
ReaderResetV2: reader_handle ->
ReaderRestoreState: reader_handle state ->
ReaderRestoreStateV2: reader_handle state ->
ReaderSerializeState: reader_handle -> state
ReaderSerializeStateV2: reader_handle -> state
Real: input -> output
RealDiv: x y -> z
RebatchDataset: input_dataset num_replicas -> handle
RebatchDatasetV2: input_dataset batch_sizes drop_remainder -> handle
Reciprocal: x -> y
ReciprocalGrad: y dy -> z
RecordInput: -> records
Recv: -> tensor
RecvTPUEmbeddingActivations: -> outputs*num_outputs
ReduceDataset: input_dataset initial_state*[Tstate] other_arguments*[Targuments] -> components*[output_types]
ReduceJoin: inputs reduction_indices -> output
RefEnter: data -> output
RefExit: data -> output
RefIdentity: input -> output
RefIn: a ->
RefInputFloatInput: a b ->
RefInputFloatInputIntOutput: a b -> c
RefInputIntInput: a b ->
RefMerge: inputs*N -> output value_index
RefNextIteration: data -> output
RefOut: -> a
RefOutput: -> a
RefOutputFloatOutput: -> a b
RefSelect: index inputs*N -> output
RefSwitch: data pred -> output_false output_true
RegexFullMatch: input pattern -> output
RegexReplace: input pattern rewrite -> output
RegisterDataset: dataset address protocol -> dataset_id
RegisterDatasetV2: dataset address protocol -> dataset_id
Relayout: input -> output
RelayoutLike: input layout_input -> output
Relu: features -> activations
Relu6: features -> activations
Relu6Grad: gradients features -> backprops
ReluGrad: gradients features -> backprops
RemoteCall: target args*[Tin] -> output*[Tout]
RepeatDataset: input_dataset count -> handle
RequantizationRange: input input_min input_max -> output_min output_max
RequantizationRangePerChannel: input input_min input_max -> output_min output_max
Requantize: input input_min input_max requested_output_min requested_output_max -> output output_min output_max
RequantizePerChannel: input input_min input_max requested_output_min requested_output_max -> output output_min output_max
RequiresOlderGraphVersion: -> version
ReservedAttr: ->
ReservedInput: input ->
Reshape: tensor shape -> output
ResizeArea: images size -> resized_images
ResizeBicubic: images size -> resized_images
ResizeBicubicGrad: grads original_image -> output
ResizeBilinear: images size -> resized_images
ResizeBilinearGrad: grads original_image -> output
ResizeNearestNeighbor: images size -> resized_images
ResizeNearestNeighborGrad: grads size -> output
ResourceAccumulatorApplyGradient: handle local_step gradient ->
ResourceAccumulatorNumAccumulated: handle -> num_accumulated
ResourceAccumulatorSetGlobalStep: handle new_global_step ->
ResourceAccumulatorTakeGradient: handle num_required -> average
ResourceApplyAdaMax: var m v beta1_power lr beta1 beta2 epsilon grad ->
ResourceApplyAdadelta: var accum accum_update lr rho epsilon grad ->
ResourceApplyAdagrad: var accum lr grad ->
ResourceApplyAdagradDA: var gradient_accumulator gradient_squared_accumulator grad lr l1 l2 global_step ->
ResourceApplyAdagradV2: var accum lr epsilon grad ->
ResourceApplyAdam: var m v beta1_power beta2_power lr beta1 beta2 epsilon grad ->
ResourceApplyAdamWithAmsgrad: var m v vhat beta1_power beta2_power lr beta1 beta2 epsilon grad ->
ResourceApplyAddSign: var m lr alpha sign_decay beta grad ->
ResourceApplyCenteredRMSProp: var mg ms mom lr rho momentum epsilon grad ->
ResourceApplyFtrl: var accum linear grad lr l1 l2 lr_power ->
ResourceApplyFtrlV2: var accum linear grad lr l1 l2 l2_shrinkage lr_power ->
ResourceApplyGradientDescent: var alpha delta ->
ResourceApplyKerasMomentum: var accum lr grad momentum ->
ResourceApplyMomentum: var accum lr grad momentum ->
ResourceApplyPowerSign: var m lr logbase sign_decay beta grad ->
ResourceApplyProximalAdagrad: var accum lr l1 l2 grad ->
ResourceApplyProximalGradientDescent: var alpha l1 l2 delta ->
ResourceApplyRMSProp: var ms mom lr rho momentum epsilon grad ->
ResourceConditionalAccumulator: -> handle
ResourceCountUpTo: resource -> output
ResourceCreateOp: resource ->
ResourceGather: resource indices -> output
ResourceGatherNd: resource indices -> output
ResourceInitializedOp: resource -> initialized
ResourceScatterAdd: resource indices updates ->
ResourceScatterDiv: resource indices updates ->
ResourceScatterMax: resource indices updates ->
ResourceScatterMin: resource indices updates ->
ResourceScatterMul: resource indices updates ->
ResourceScatterNdAdd: ref indices updates ->
ResourceScatterNdMax: ref indices updates ->
ResourceScatterNdMin: ref indices updates ->
ResourceScatterNdSub: ref indices updates ->
ResourceScatterNdUpdate: ref indices updates ->
ResourceScatterSub: resource indices updates ->
ResourceScatterUpdate: resource indices updates ->
ResourceSparseApplyAdadelta: var accum accum_update lr rho epsilon grad indices ->
ResourceSparseApplyAdagrad: var accum lr grad indices ->
ResourceSparseApplyAdagradDA: var gradient_accumulator gradient_squared_accumulator grad indices lr l1 l2 global_step ->
ResourceSparseApplyAdagradV2: var accum lr epsilon grad indices ->
ResourceSparseApplyCenteredRMSProp: var mg ms mom lr rho momentum epsilon grad indices ->
ResourceSparseApplyFtrl: var accum linear grad indices lr l1 l2 lr_power ->
ResourceSparseApplyFtrlV2: var accum linear grad indices lr l1 l2 l2_shrinkage lr_power ->
ResourceSparseApplyKerasMomentum: var accum lr grad indices momentum ->
ResourceSparseApplyMomentum: var accum lr grad indices momentum ->
ResourceSparseApplyProximalAdagrad: var accum lr l1 l2 grad indices ->
ResourceSparseApplyProximalGradientDescent: var alpha l1 l2 grad indices ->
ResourceSparseApplyRMSProp: var ms mom lr rho momentum epsilon grad indices ->
ResourceStridedSliceAssign: ref begin end strides value ->
ResourceUsingOp: resource ->
Restore: file_pattern tensor_name -> tensor
RestoreSlice: file_pattern tensor_name shape_and_slice -> tensor
RestoreV2: prefix tensor_names shape_and_slices -> tensors*[dtypes]
Restrict: a -> out
RetrieveAllTPUEmbeddingParameters: -> parameters*NumTables auxiliary1*NumTables auxiliary2*NumTables auxiliary3*NumTables auxiliary4*NumTables auxiliary5*NumTables auxiliary6*NumTables auxiliary7*NumTables
RetrieveTPUEmbeddingADAMParameters: -> parameters momenta velocities
RetrieveTPUEmbeddingAdadeltaParameters: -> parameters accumulators updates
RetrieveTPUEmbeddingAdagradMomentumParameters: -> parameters accumulators momenta
RetrieveTPUEmbeddingAdagradParameters: -> parameters accumulators
RetrieveTPUEmbeddingCenteredRMSPropParameters: -> parameters ms mom mg
RetrieveTPUEmbeddingFTRLParameters: -> parameters accumulators linears
RetrieveTPUEmbeddingFrequencyEstimatorParameters: -> parameters last_hit_step
RetrieveTPUEmbeddingMDLAdagradLightParameters: -> parameters accumulators weights benefits
RetrieveTPUEmbeddingMomentumParameters: -> parameters momenta
RetrieveTPUEmbeddingProximalAdagradParameters: -> parameters accumulators
RetrieveTPUEmbeddingProximalYogiParameters: -> parameters v m
RetrieveTPUEmbeddingRMSPropParameters: -> parameters ms mom
RetrieveTPUEmbeddingStochasticGradientDescentParameters: -> parameters
Reverse: tensor dims -> output
ReverseSequence: input seq_lengths -> output
ReverseV2: tensor axis -> output
RewriteDataset: input_dataset rewrite_name -> handle
RightShift: x y -> z
Rint: x -> y
RiscAbs: x -> y
RiscAdd: x y -> z
RiscBinaryArithmetic: x y -> z
RiscBinaryComparison: x y -> z
RiscBitcast: x -> y
RiscBroadcast: input shape -> output
RiscCast: x -> y
RiscCeil: x -> y
RiscCholesky: input -> output
RiscConcat: values*N axis -> output
RiscCondition: pred input_true input_false -> output
RiscConv: input filter -> output
RiscCos: x -> y
RiscDiv: x y -> z
RiscDot: a b -> product
RiscExp: x -> y
RiscFft: input -> output
RiscFloor: x -> y
RiscGather: params indices axis -> output
RiscImag: input -> output
RiscIsFinite: x -> y
RiscLog: x -> y
RiscLogicalAnd: x y -> z
RiscLogicalNot: x -> z
RiscLogicalOr: x y -> z
RiscMax: x y -> max
RiscMin: x y -> z
RiscMul: x y -> z
RiscNeg: x -> y
RiscPad: input paddings constant_values -> output
RiscPool: value -> output
RiscPow: x y -> z
RiscRandomUniform: shape -> output
RiscReal: input -> output
RiscReduce: tensor axis -> output
RiscRem: x y -> z
RiscReshape: tensor shape -> output
RiscReverse: tensor axis -> output
RiscScatter: indices updates shape -> output
RiscShape: input -> output
RiscSign: x -> y
RiscSlice: input begin size -> output
RiscSort: input axis -> output
RiscSqueeze: input -> output
RiscSub: x y -> z
RiscTranspose: x perm -> y
RiscTriangularSolve: matrix rhs -> output
RiscUnary: x -> y
RiscWhile: input*[T] -> output*[T]
RngReadAndSkip: resource alg delta -> value
RngSkip: resource algorithm delta ->
Roll: input shift axis -> output
Round: x -> y
RpcCall: client method_name args*[Tin] timeout_in_ms -> future deleter
RpcCheckStatus: status_or -> error_code error
RpcClient: server_address timeout_in_ms -> client method_specs
RpcGetValue: status_or -> output*[Tout]
RpcServer: server_address -> server
RpcServerRegister: server method_name captured_inputs*[Tin]=0 ->
RpcServerStart: server ->
Rsqrt: x -> y
RsqrtGrad: y dy -> z
SampleDistortedBoundingBox: image_size bounding_boxes -> begin size bboxes
SampleDistortedBoundingBoxV2: image_size bounding_boxes min_object_covered -> begin size bboxes
SamplingDataset: input_dataset rate seed seed2 -> handle
Save: filename tensor_names data*[T] ->
SaveDataset: input_dataset path shard_func_other_args*[Tshard_func_args] ->
SaveDatasetV2: input_dataset path shard_func_other_args*[Tshard_func_args] -> handle
SaveSlices: filename tensor_names shapes_and_slices data*[T] ->
SaveV2: prefix tensor_names shape_and_slices tensors*[dtypes] ->
ScalarSummary: tags values -> summary
ScaleAndTranslate: images size scale translation -> resized_images
ScaleAndTranslateGrad: grads original_image scale translation -> output
ScanDataset: input_dataset initial_state*[Tstate] other_arguments*[Targuments] -> handle
ScatterAdd: ref indices updates -> output_ref
ScatterDiv: ref indices updates -> output_ref
ScatterMax: ref indices updates -> output_ref
ScatterMin: ref indices updates -> output_ref
ScatterMul: ref indices updates -> output_ref
ScatterNd: indices updates shape -> output
ScatterNdAdd: ref indices updates -> output_ref
ScatterNdMax: ref indices updates -> output_ref
ScatterNdMin: ref indices updates -> output_ref
ScatterNdNonAliasingAdd: input indices updates -> output
ScatterNdSub: ref indices updates -> output_ref
ScatterNdUpdate: ref indices updates -> output_ref
ScatterSub: ref indices updates -> output_ref
ScatterUpdate: ref indices updates -> output_ref
SdcaFprint: input -> output
SdcaOptimizer: sparse_example_indices*num_sparse_features sparse_feature_indices*num_sparse_features sparse_feature_values*num_sparse_features_with_values dense_features*num_dense_features example_weights example_labels sparse_indices*num_sparse_features sparse_weights*num_sparse_features dense_weights*num_dense_features example_state_data -> out_example_state_data out_delta_sparse_weights*num_sparse_features out_delta_dense_weights*num_dense_features
SdcaOptimizerV2: sparse_example_indices*num_sparse_features sparse_feature_indices*num_sparse_features sparse_feature_values*num_sparse_features_with_values dense_features*num_dense_features example_weights example_labels sparse_indices*num_sparse_features sparse_weights*num_sparse_features dense_weights*num_dense_features example_state_data -> out_example_state_data out_delta_sparse_weights*num_sparse_features out_delta_dense_weights*num_dense_features
SdcaShrinkL1: weights*num_features ->
SegmentMax: data segment_ids -> output
SegmentMaxV2: data segment_ids num_segments -> output
SegmentMean: data segment_ids -> output
SegmentMin: data segment_ids -> output
SegmentMinV2: data segment_ids num_segments -> output
SegmentProd: data segment_ids -> output
SegmentProdV2: data segment_ids num_segments -> output
SegmentSum: data segment_ids -> output
SegmentSumV2: data segment_ids num_segments -> output
Select: condition t e -> output
SelectV2: condition t e -> output
SelfAdjointEig: input -> output
SelfAdjointEigV2: input -> e v
Selu: features -> activations
SeluGrad: gradients outputs -> backprops
Send: tensor ->
SendTPUEmbeddingGradients: inputs*N learning_rates*NN=0 ->
SerializeIterator: resource_handle -> serialized
SerializeManySparse: sparse_indices sparse_values sparse_shape -> serialized_sparse
SerializeSparse: sparse_indices sparse_values sparse_shape -> serialized_sparse
SerializeTensor: tensor -> serialized
SetSize: set_indices set_values set_shape -> size
SetStatsAggregatorDataset: input_dataset stats_aggregator tag counter_prefix -> handle
Shape: input -> output
ShapeN: input*N -> output*N
ShardDataset: input_dataset num_shards index -> handle
ShardedFilename: basename shard num_shards -> filename
ShardedFilespec: basename num_shards -> filename
ShuffleAndRepeatDataset: input_dataset buffer_size seed seed2 count -> handle
ShuffleAndRepeatDatasetV2: input_dataset buffer_size seed seed2 count seed_generator -> handle
ShuffleDataset: input_dataset buffer_size seed seed2 -> handle
ShuffleDatasetV2: input_dataset buffer_size seed_generator -> handle
ShuffleDatasetV3: input_dataset buffer_size seed seed2 seed_generator -> handle
ShutdownDistributedTPU: ->
ShutdownTPUSystem: -> success
Sigmoid: x -> y
SigmoidGrad: y dy -> z
Sign: x -> y
Simple: a -> out
SimpleStruct: -> a*n_a
Sin: x -> y
Sinh: x -> y
Size: input -> output
SkipDataset: input_dataset count -> handle
Skipgram: -> vocab_word vocab_freq words_per_epoch current_epoch total_words_processed examples labels
SleepDataset: input_dataset sleep_microseconds -> handle
SleepIdentityOp: sleep_seconds input -> output
SleepOp: sleep_seconds ->
Slice: input begin size -> output
SlidingWindowDataset: input_dataset window_size window_shift window_stride -> handle
Snapshot: input -> output
SnapshotChunkDataset: chunk_file -> handle
SnapshotDataset: input_dataset path -> handle
SnapshotDatasetReader: shard_dir start_index -> handle
SnapshotDatasetV2: input_dataset path reader_func_other_args*[Treader_func_args] shard_func_other_args*[Tshard_func_args] -> handle
SnapshotNestedDatasetReader: inputs*N -> handle
SobolSample: dim num_results skip -> samples
Softmax: logits -> softmax
SoftmaxCrossEntropyWithLogits: features labels -> loss backprop
Softplus: features -> activations
SoftplusGrad: gradients features -> backprops
Softsign: features -> activations
SoftsignGrad: gradients features -> backprops
SortListOfSparseCoreCooTensors: row_ids_list*N col_ids_list*N gains_list*N -> sorted_row_ids sorted_col_ids sorted_gains id_counts
SpaceToBatch: input paddings -> output
SpaceToBatchND: input block_shape paddings -> output
SpaceToDepth: input -> output
SparseAccumulatorApplyGradient: handle local_step gradient_indices gradient_values gradient_shape ->
SparseAccumulatorTakeGradient: handle num_required -> indices values shape
SparseAdd: a_indices a_values a_shape b_indices b_values b_shape thresh -> sum_indices sum_values sum_shape
SparseAddGrad: backprop_val_grad a_indices b_indices sum_indices -> a_val_grad b_val_grad
SparseApplyAdadelta: var accum accum_update lr rho epsilon grad indices -> out
SparseApplyAdagrad: var accum lr grad indices -> out
SparseApplyAdagradDA: var gradient_accumulator gradient_squared_accumulator grad indices lr l1 l2 global_step -> out
SparseApplyAdagradV2: var accum lr epsilon grad indices -> out
SparseApplyCenteredRMSProp: var mg ms mom lr rho momentum epsilon grad indices -> out
SparseApplyFtrl: var accum linear grad indices lr l1 l2 lr_power -> out
SparseApplyFtrlV2: var accum linear grad indices lr l1 l2 l2_shrinkage lr_power -> out
SparseApplyMomentum: var accum lr grad indices momentum -> out
SparseApplyProximalAdagrad: var accum lr l1 l2 grad indices -> out
SparseApplyProximalGradientDescent: var alpha l1 l2 grad indices -> out
SparseApplyRMSProp: var ms mom lr rho momentum epsilon grad indices -> out
SparseBincount: indices values dense_shape size weights -> output
SparseConcat: indices*N values*N shapes*N -> output_indices output_values output_shape
SparseConditionalAccumulator: -> handle
SparseCountSparseOutput: indices values dense_shape weights -> output_indices output_values output_dense_shape
SparseCross: indices*N values*[sparse_types] shapes*N dense_inputs*[dense_types] -> output_indices output_values output_shape
SparseCrossHashed: indices*N values*[sparse_types] shapes*N dense_inputs*[dense_types] num_buckets strong_hash salt -> output_indices output_values output_shape
SparseCrossV2: indices*N values*[sparse_types] shapes*N dense_inputs*[dense_types] sep -> output_indices output_values output_shape
SparseDenseCwiseAdd: sp_indices sp_values sp_shape dense -> output
SparseDenseCwiseDiv: sp_indices sp_values sp_shape dense -> output
SparseDenseCwiseMul: sp_indices sp_values sp_shape dense -> output
SparseFillEmptyRows: indices values dense_shape default_value -> output_indices output_values empty_row_indicator reverse_index_map
SparseFillEmptyRowsGrad: reverse_index_map grad_values -> d_values d_default_value
SparseMatMul: a b -> product
SparseMatrixAdd: a b alpha beta -> c
SparseMatrixMatMul: a b -> output
SparseMatrixMul: a b -> output
SparseMatrixNNZ: sparse_matrix -> nnz
SparseMatrixOrderingAMD: input -> output
SparseMatrixSoftmax: logits -> softmax
SparseMatrixSoftmaxGrad: softmax grad_softmax -> gradient
SparseMatrixSparseCholesky: input permutation -> output
SparseMatrixSparseMatMul: a b -> c
SparseMatrixTranspose: input -> output
SparseMatrixZeros: dense_shape -> sparse_matrix
SparseReduceMax: input_indices input_values input_shape reduction_axes -> output
SparseReduceMaxSparse: input_indices input_values input_shape reduction_axes -> output_indices output_values output_shape
SparseReduceSum: input_indices input_values input_shape reduction_axes -> output
SparseReduceSumSparse: input_indices input_values input_shape reduction_axes -> output_indices output_values output_shape
SparseReorder: input_indices input_values input_shape -> output_indices output_values
SparseReshape: input_indices input_shape new_shape -> output_indices output_shape
SparseSegmentMean: data indices segment_ids -> output
SparseSegmentMeanGrad: grad indices segment_ids output_dim0 -> output
SparseSegmentMeanGradV2: grad indices segment_ids dense_output_dim0 -> output sorted_unique_indices
SparseSegmentMeanWithNumSegments: data indices segment_ids num_segments -> output
SparseSegmentSqrtN: data indices segment_ids -> output
SparseSegmentSqrtNGrad: grad indices segment_ids output_dim0 -> output
SparseSegmentSqrtNGradV2: grad indices segment_ids dense_output_dim0 -> output sorted_unique_indices
SparseSegmentSqrtNWithNumSegments: data indices segment_ids num_segments -> output
SparseSegmentSum: data indices segment_ids -> output
SparseSegmentSumGrad: grad indices segment_ids output_dim0 -> output
SparseSegmentSumGradV2: grad indices segment_ids dense_output_dim0 -> output sorted_unique_indices
SparseSegmentSumWithNumSegments: data indices segment_ids num_segments -> output
SparseSlice: indices values shape start size -> output_indices output_values output_shape
SparseSliceGrad: backprop_val_grad input_indices input_start output_indices -> val_grad
SparseSoftmax: sp_indices sp_values sp_shape -> output
SparseSoftmaxCrossEntropyWithLogits: features labels -> loss backprop
SparseSparseMaximum: a_indices a_values a_shape b_indices b_values b_shape -> output_indices output_values
SparseSparseMinimum: a_indices a_values a_shape b_indices b_values b_shape -> output_indices output_values
SparseSplit: split_dim indices values shape -> output_indices*num_split output_values*num_split output_shape*num_split
SparseTensorDenseAdd: a_indices a_values a_shape b -> output
SparseTensorDenseMatMul: a_indices a_values a_shape b -> product
SparseTensorSliceDataset: indices values dense_shape -> handle
SparseTensorToCSRSparseMatrix: indices values dense_shape -> sparse_matrix
SparseToDense: sparse_indices output_shape sparse_values default_value -> dense
SparseToSparseSetOperation: set1_indices set1_values set1_shape set2_indices set2_values set2_shape -> result_indices result_values result_shape
Spence: x -> y
Split: split_dim value -> output*num_split
SplitDedupData: input -> integer_tensor float_tensor
SplitV: value size_splits split_dim -> output*num_split
SqlDataset: driver_name data_source_name query -> handle
Sqrt: x -> y
SqrtGrad: y dy -> z
Square: x -> y
SquaredDifference: x y -> z
Squeeze: input -> output
Stack: -> handle
StackClose: handle ->
StackCloseV2: handle ->
StackPop: handle -> elem
StackPopV2: handle -> elem
StackPush: handle elem -> output
StackPushV2: handle elem -> output
StackV2: max_size -> handle
Stage: values*[dtypes] ->
StageClear: ->
StagePeek: index -> values*[dtypes]
StageSize: -> size
StatefulPartitionedCall: args*[Tin] -> output*[Tout]
StatefulRandomBinomial: resource algorithm shape counts probs -> output
StatefulStandardNormal: resource shape -> output
StatefulStandardNormalV2: resource algorithm shape -> output
StatefulTruncatedNormal: resource algorithm shape -> output
StatefulUniform: resource algorithm shape -> output
StatefulUniformFullInt: resource algorithm shape -> output
StatefulUniformInt: resource algorithm shape minval maxval -> output
StatelessCase: branch_index input*[Tin] -> output*[Tout]
StatelessIf: cond input*[Tin] -> output*[Tout]
StatelessMultinomial: logits num_samples seed -> output
StatelessParameterizedTruncatedNormal: shape seed means stddevs minvals maxvals -> output
StatelessRandomBinomial: shape seed counts probs -> output
StatelessRandomGammaV2: shape seed alpha -> output
StatelessRandomGammaV3: shape key counter alg alpha -> output
StatelessRandomGetAlg: -> alg
StatelessRandomGetKeyCounter: seed -> key counter
StatelessRandomGetKeyCounterAlg: seed -> key counter alg
StatelessRandomNormal: shape seed -> output
StatelessRandomNormalV2: shape key counter alg -> output
StatelessRandomPoisson: shape seed lam -> output
StatelessRandomUniform: shape seed -> output
StatelessRandomUniformFullInt: shape seed -> output
StatelessRandomUniformFullIntV2: shape key counter alg -> output
StatelessRandomUniformInt: shape seed minval maxval -> output
StatelessRandomUniformIntV2: shape key counter alg minval maxval -> output
StatelessRandomUniformV2: shape key counter alg -> output
StatelessSampleDistortedBoundingBox: image_size bounding_boxes min_object_covered seed -> begin size bboxes
StatelessShuffle: value key counter alg -> output
StatelessTruncatedNormal: shape seed -> output
StatelessTruncatedNormalV2: shape key counter alg -> output
StatelessWhile: input*[T] -> output*[T]
StaticRegexFullMatch: input -> output
StaticRegexReplace: input -> output
StatsAggregatorHandle: -> handle
StatsAggregatorHandleV2: -> handle
StatsAggregatorSetSummaryWriter: stats_aggregator summary ->
StatsAggregatorSummary: iterator -> summary
StochasticCastToInt: input key counter alg -> output
StopGradient: input -> output
StoreMinibatchStatisticsInFdo: program_key max_ids max_uniques ->
StridedSlice: input begin end strides -> output
StridedSliceAssign: ref begin end strides value -> output_ref
StridedSliceGrad: shape begin end strides dy -> output
StringFormat: inputs*[T] -> output
StringJoin: inputs*N -> output
StringLength: input -> output
StringListAttr: ->
StringLower: input -> output
StringNGrams: data data_splits -> ngrams ngrams_splits
StringSplit: input delimiter -> indices values shape
StringSplitV2: input sep -> indices values shape
StringStrip: input -> output
StringToHashBucket: string_tensor -> output
StringToHashBucketFast: input -> output
StringToHashBucketStrong: input -> output
StringToNumber: string_tensor -> output
StringUpper: input -> output
StubResourceHandleOp: -> resource
Sub: x y -> z
Substr: input pos len -> output
Sum: input reduction_indices -> output
SummaryWriter: -> writer
Svd: input -> s u v
Switch: data pred -> output_false output_true
SymbolicGradient: input*[Tin] -> output*[Tout]
SyncDevice: ->
TFRecordDataset: filenames compression_type buffer_size -> handle
TFRecordDatasetV2: filenames compression_type buffer_size byte_offsets -> handle
TFRecordReader: -> reader_handle
TFRecordReaderV2: -> reader_handle
TPUAnnotateTensorsWithDynamicShape: tensors*[T] -> tpu_tensors*[T]
TPUCompilationResult: -> output
TPUCompile: dynamic_shapes*NumDynamicShapes guaranteed_constants*[Tguaranteed_constants] -> compilation_status program*num_computations may_modify_variables*num_computations
TPUCompileSucceededAssert: compilation_status ->
TPUCopyWithDynamicShape: tensors*[T] unpadded_sizes*N -> tpu_tensors*[T]
TPUDummyInput: -> output
TPUEmbeddingActivations: embedding_variable sliced_activations -> output
TPUExecute: args*[Targs] key -> results*[Tresults]
TPUExecuteAndUpdateVariables: args*[Targs] key -> results*[Tresults]
TPUOrdinalSelector: -> device_ordinals
TPUPartitionedCall: args*[Tin] device_ordinal -> output*[Tout]
TPUPartitionedInput: inputs*N -> output
TPUPartitionedInputV2: inputs*N -> output
TPUPartitionedOutput: inputs -> output*num_splits
TPUPartitionedOutputV2: inputs -> output*num_splits
TPUReplicateMetadata: ->
TPUReplicatedInput: inputs*N -> output
TPUReplicatedOutput: input -> outputs*num_replicas
TPUReshardVariables: vars*N new_format_key format_state_var ->
TPURoundRobin: -> device_ordinal
TakeDataset: input_dataset count -> handle
TakeManySparseFromTensorsMap: sparse_handles -> sparse_indices sparse_values sparse_shape
TakeWhileDataset: input_dataset other_arguments*[Targuments] -> handle
Tan: x -> y
Tanh: x -> y
TanhGrad: y dy -> z
TemporaryVariable: -> ref
TensorArray: size -> handle
TensorArrayClose: handle ->
TensorArrayCloseV2: handle ->
TensorArrayCloseV3: handle ->
TensorArrayConcat: handle flow_in -> value lengths
TensorArrayConcatV2: handle flow_in -> value lengths
TensorArrayConcatV3: handle flow_in -> value lengths
TensorArrayGather: handle indices flow_in -> value
TensorArrayGatherV2: handle indices flow_in -> value
TensorArrayGatherV3: handle indices flow_in -> value
TensorArrayGrad: handle flow_in -> grad_handle
TensorArrayGradV2: handle flow_in -> grad_handle
TensorArrayGradV3: handle flow_in -> grad_handle flow_out
TensorArrayGradWithShape: handle flow_in shape_to_prepend -> grad_handle flow_out
TensorArrayPack: handle flow_in -> value
TensorArrayRead: handle index flow_in -> value
TensorArrayReadV2: handle index flow_in -> value
TensorArrayReadV3: handle index flow_in -> value
TensorArrayScatter: handle indices value flow_in -> flow_out
TensorArrayScatterV2: handle indices value flow_in -> flow_out
TensorArrayScatterV3: handle indices value flow_in -> flow_out
TensorArraySize: handle flow_in -> size
TensorArraySizeV2: handle flow_in -> size
TensorArraySizeV3: handle flow_in -> size
TensorArraySplit: handle value lengths flow_in -> flow_out
TensorArraySplitV2: handle value lengths flow_in -> flow_out
TensorArraySplitV3: handle value lengths flow_in -> flow_out
TensorArrayUnpack: handle value flow_in -> flow_out
TensorArrayV2: size -> handle
TensorArrayV3: size -> handle flow
TensorArrayWrite: handle index value flow_in -> flow_out
TensorArrayWriteV2: handle index value flow_in -> flow_out
TensorArrayWriteV3: handle index value flow_in -> flow_out
TensorDataset: components*[Toutput_types] -> handle
TensorListConcat: input_handle -> tensor lengths
TensorListConcatLists: input_a input_b -> output
TensorListConcatV2: input_handle element_shape leading_dims -> tensor lengths
TensorListElementShape: input_handle -> element_shape
TensorListFromTensor: tensor element_shape -> output_handle
TensorListGather: input_handle indices element_shape -> values
TensorListGetItem: input_handle index element_shape -> item
TensorListLength: input_handle -> length
TensorListPopBack: input_handle element_shape -> output_handle tensor
TensorListPushBack: input_handle tensor -> output_handle
TensorListPushBackBatch: input_handles tensor -> output_handles
TensorListReserve: element_shape num_elements -> handle
TensorListResize: input_handle size -> output_handle
TensorListScatter: tensor indices element_shape -> output_handle
TensorListScatterIntoExistingList: input_handle tensor indices -> output_handle
TensorListScatterV2: tensor indices element_shape num_elements -> output_handle
TensorListSetItem: input_handle index item -> output_handle
TensorListSplit: tensor element_shape lengths -> output_handle
TensorListStack: input_handle element_shape -> tensor
TensorMapErase: input_handle key -> output_handle
TensorMapHasKey: input_handle key -> has_key
TensorMapInsert: input_handle key value -> output_handle
TensorMapLookup: input_handle key -> value
TensorMapSize: input_handle -> size
TensorMapStackKeys: input_handle -> keys
TensorScatterAdd: tensor indices updates -> output
TensorScatterMax: tensor indices updates -> output
TensorScatterMin: tensor indices updates -> output
TensorScatterSub: tensor indices updates -> output
TensorScatterUpdate: tensor indices updates -> output
TensorSliceDataset: components*[Toutput_types] -> handle
TensorStridedSliceUpdate: input begin end strides value -> output
TensorSummary: tensor -> summary
TensorSummaryV2: tag tensor serialized_summary_metadata -> summary
TestAttr: -> out
TestStringOutput: input -> output1 output2
TextLineDataset: filenames compression_type buffer_size -> handle
TextLineReader: -> reader_handle
TextLineReaderV2: -> reader_handle
ThreadPoolDataset: input_dataset thread_pool -> handle
ThreadPoolHandle: -> handle
ThreadUnsafeUnigramCandidateSampler: true_classes -> sampled_candidates true_expected_count sampled_expected_count
Tile: input multiples -> output
TileGrad: input multiples -> output
Timestamp: -> ts
ToBool: input -> output
TopK: input -> values indices
TopKUnique: input -> topk topk_indices
TopKV2: input k -> values indices
TopKWithUnique: input -> topk topk_indices
TpuHandleToProtoKey: uid -> proto_keys
Transpose: x perm -> y
TridiagonalMatMul: superdiag maindiag subdiag rhs -> output
TridiagonalSolve: diagonals rhs -> output
TruncateDiv: x y -> z
TruncateMod: x y -> z
TruncatedNormal: shape -> output
TwoFloatInputs: a b ->
TwoFloatInputsFloatOutput: a b -> c
TwoFloatInputsIntOutput: a b -> c
TwoFloatOutputs: -> a b
TwoIntInputs: a b ->
TwoIntOutputs: -> a b
TwoRefsIn: a b ->
TypeList: a*[T] ->
TypeListRestrict: a*[T] ->
TypeListTwice: a*[T] b*[T] ->
Unary: a -> b
Unbatch: batched_tensor batch_index id -> unbatched_tensor
UnbatchDataset: input_dataset -> handle
UnbatchGrad: original_input batch_index grad id -> batched_grad
UncompressElement: compressed -> components*[output_types]
UnicodeDecode: input -> row_splits char_values
UnicodeDecodeWithOffsets: input -> row_splits char_values char_to_byte_starts
UnicodeEncode: input_values input_splits -> output
UnicodeScript: input -> output
UnicodeTranscode: input -> output
UniformCandidateSampler: true_classes -> sampled_candidates true_expected_count sampled_expected_count
UniformDequantize: input scales zero_points -> output
UniformQuantize: input scales zero_points -> output
UniformQuantizedAdd: lhs rhs lhs_scales lhs_zero_points rhs_scales rhs_zero_points output_scales output_zero_points -> output
UniformQuantizedClipByValue: operand min max scales zero_points -> output
UniformQuantizedConvolution: lhs rhs lhs_scales lhs_zero_points rhs_scales rhs_zero_points output_scales output_zero_points -> output
UniformQuantizedConvolutionHybrid: lhs rhs rhs_scales rhs_zero_points -> output
UniformQuantizedDot: lhs rhs lhs_scales lhs_zero_points rhs_scales rhs_zero_points output_scales output_zero_points -> output
UniformQuantizedDotHybrid: lhs rhs rhs_scales rhs_zero_points -> output
UniformRequantize: input input_scales input_zero_points output_scales output_zero_points -> output
Unique: x -> y idx
UniqueDataset: input_dataset -> handle
UniqueV2: x axis -> y idx
UniqueWithCounts: x -> y idx count
UniqueWithCountsV2: x axis -> y idx count
Unpack: value -> output*num
UnravelIndex: indices dims -> output
UnsortedSegmentJoin: inputs segment_ids num_segments -> output
UnsortedSegmentMax: data segment_ids num_segments -> output
UnsortedSegmentMin: data segment_ids num_segments -> output
UnsortedSegmentProd: data segment_ids num_segments -> output
UnsortedSegmentSum: data segment_ids num_segments -> output
Unstage: -> values*[dtypes]
UnwrapDatasetVariant: input_handle -> output_handle
UpdateTaskIdAndGlobalCoreArray: tpu_task_id_to_shard_id*task_count ->
UpperBound: sorted_inputs values -> output
VarHandleOp: -> resource
VarIsInitializedOp: resource -> is_initialized
Variable: -> ref
VariableShape: input -> output
VariableV2: -> ref
WeightedFlatMapDataset: input_datasets*N weights*M -> handle
Where: input -> index
While: input*[T] -> output*[T]
WholeFileReader: -> reader_handle
WholeFileReaderV2: -> reader_handle
WindowDataset: input_dataset size shift stride drop_remainder -> handle
WindowOp: inputs*[Tinputs] -> handle
WorkerHeartbeat: request -> response
WrapDatasetVariant: input_handle -> output_handle
WriteAudioSummary: writer step tag tensor sample_rate ->
WriteFile: filename contents ->
WriteGraphSummary: writer step tensor ->
WriteHistogramSummary: writer step tag values ->
WriteImageSummary: writer step tag tensor bad_color ->
WriteRawProtoSummary: writer step tensor ->
WriteScalarSummary: writer step tag value ->
WriteSummary: writer step tensor tag summary_metadata ->
Xdivy: x y -> z
XlaAllReduce: input group_assignment -> output
XlaBroadcastHelper: lhs rhs broadcast_dims -> lhs_output rhs_output
XlaCallModule: args*[Tin] -> output*[Tout]
XlaClusterOutput: input -> outputs
XlaConcatND: inputs*N -> output
XlaConv: lhs rhs window_strides padding lhs_dilation rhs_dilation feature_group_count -> output
XlaConvV2: lhs rhs window_strides padding lhs_dilation rhs_dilation feature_group_count -> output
XlaCustomCall: args*[T] -> output
XlaCustomCallV2: operands*[operand_dtypes] -> results*[result_dtypes]
XlaDequantize: input -> output
XlaDot: lhs rhs -> output
XlaDotV2: lhs rhs -> output
XlaDynamicSlice: input start_indices size_indices -> output
XlaDynamicUpdateSlice: input update indices -> output
XlaEinsum: a b -> product
XlaGather: operand start_indices slice_sizes -> output
XlaHostCompute: inputs*[Tinputs] -> outputs*[Toutputs]
XlaIf: cond inputs*[Tin] -> output*[Tout]
XlaKeyValueSort: keys values -> sorted_keys sorted_values
XlaLaunch: constants*[Tconstants] args*[Targs] resources*Nresources -> results*[Tresults]
XlaLaunchV2: args*[Targs] -> results*[Tresults]
XlaOptimizationBarrier: input*[T] -> output*[T]
XlaPad: input padding_value padding_low padding_high padding_interior -> output
XlaRecv: -> tensor
XlaRecvFromHost: -> output
XlaRecvTPUEmbeddingActivations: deduplication_data -> outputs*num_tables
XlaRecvTPUEmbeddingActivationsV2: deduplication_data -> outputs*num_tables
XlaRecvTPUEmbeddingDeduplicationData: -> output
XlaRecvTPUEmbeddingDeduplicationDataV2: -> output
XlaReduce: input init_value -> output
XlaReducePrecision: operand -> output
XlaReduceScatter: input group_assignment scatter_dimension -> output
XlaReduceWindow: input init_value window_dimensions window_strides base_dilations window_dilations padding -> output
XlaRemoveDynamicDimensionSize: input dim_index -> output
XlaReplicaId: -> id
XlaRngBitGenerator: algorithm initial_state shape -> output_key output
XlaScatter: operand scatter_indices updates -> output
XlaSelectAndScatter: operand window_dimensions window_strides padding source init_value -> output
XlaSelfAdjointEig: a -> w v
XlaSend: tensor ->
XlaSendTPUEmbeddingGradients: gradients*NumTables learning_rates*NumLearningRateTags=0 deduplication_data ->
XlaSendTPUEmbeddingGradientsV2: gradients*NumTables learning_rates*NumLearningRateTags=0 deduplication_data ->
XlaSendToHost: input ->
XlaSetBound: input bound -> output
XlaSetDynamicDimensionSize: input dim_index size -> output
XlaSharding: input -> output
XlaSort: input -> output
XlaSparseActivationsUnstack: stacked_activations -> unstacked_activations*num_tables
XlaSparseCoreAdagrad: indices gradient learning_rate accumulator embedding_table -> updated_embedding_table updated_accumulator
XlaSparseCoreAdagradMomentum: indices gradient learning_rate beta_1 epsilon accumulator momentum embedding_table -> updated_embedding_table updated_accumulator updated_momentum
XlaSparseCoreAdam: embedding_table indices gradient learning_rate momentum velocity beta_1 beta_2 epsilon -> updated_embedding_table updated_velocity updated_momentum
XlaSparseCoreFtrl: embedding_table accumulator linear learning_rate indices gradient beta learning_rate_power l2_regularization_strength -> updated_embedding_table updated_accumulator updated_linear
XlaSparseCoreSgd: indices gradient learning_rate embedding_table -> updated_embedding_table
XlaSparseDenseMatmul: row_ids col_ids values offsets embedding_table -> activations row_pointers sorted_embedding_ids sorted_sample_ids sorted_gains
XlaSparseDenseMatmulCustomCombinerOnTcGradWithAdagradAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_pos_ids sorted_gains weights preserved_valencies preserved_vectors preserved_weights activation_gradients learning_rate combiner_weights_learning_rate embedding_table accumulator -> updated_embedding_table updated_accumulator updated_weights
XlaSparseDenseMatmulCustomCombinerOnTcGradWithAdagradMomentumAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_pos_ids sorted_gains weights preserved_valencies preserved_vectors preserved_weights activation_gradients learning_rate combiner_weights_learning_rate embedding_table accumulator momenta -> updated_embedding_table updated_accumulator updated_momenta updated_weights
XlaSparseDenseMatmulCustomCombinerOnTcGradWithAdamAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_pos_ids sorted_gains weights preserved_valencies preserved_vectors preserved_weights activation_gradients learning_rate combiner_weights_learning_rate embedding_table momenta velocity -> updated_embedding_table updated_momenta updated_velocity updated_weights
XlaSparseDenseMatmulCustomCombinerOnTcGradWithCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_pos_ids sorted_gains weights preserved_valencies preserved_vectors preserved_weights activation_gradients tables*N hyperparameters*M combiner_weights_learning_rate -> updated_tables*N updated_weights
XlaSparseDenseMatmulCustomCombinerOnTcGradWithFtrlAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_pos_ids sorted_gains weights preserved_valencies preserved_vectors preserved_weights activation_gradients learning_rate combiner_weights_learning_rate embedding_table accumulator linear -> updated_embedding_table updated_accumulator updated_linear updated_weights
XlaSparseDenseMatmulCustomCombinerOnTcGradWithSgdAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_pos_ids sorted_gains weights preserved_valencies preserved_vectors preserved_weights activation_gradients learning_rate combiner_weights_learning_rate embedding_table -> updated_embedding_table updated_weights
XlaSparseDenseMatmulCustomCombinerOnTcWithCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_pos_ids sorted_gains embedding_table weights -> activations preserved_valencies preserved_vectors
XlaSparseDenseMatmulGradWithAdagradAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table accumulator num_minibatches_per_physical_sparse_core -> updated_embedding_table updated_accumulator
XlaSparseDenseMatmulGradWithAdagradAndStaticBufferSize: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table accumulator num_minibatches_per_physical_sparse_core -> updated_embedding_table updated_accumulator
XlaSparseDenseMatmulGradWithAdagradMomentumAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table accumulator momenta num_minibatches_per_physical_sparse_core -> updated_embedding_table updated_accumulator updated_momenta
XlaSparseDenseMatmulGradWithAdagradMomentumAndStaticBufferSize: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table accumulator momenta num_minibatches_per_physical_sparse_core -> updated_embedding_table updated_accumulator updated_momenta
XlaSparseDenseMatmulGradWithAdamAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table momenta velocity num_minibatches_per_physical_sparse_core -> updated_embedding_table updated_momenta updated_velocity
XlaSparseDenseMatmulGradWithAdamAndStaticBufferSize: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table momenta velocity num_minibatches_per_physical_sparse_core -> updated_embedding_table updated_momenta updated_velocity
XlaSparseDenseMatmulGradWithCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients tables*N hyperparameters*M num_minibatches_per_physical_sparse_core -> updated_tables*N
XlaSparseDenseMatmulGradWithFtrlAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table accumulator linear num_minibatches_per_physical_sparse_core -> updated_embedding_table updated_accumulator updated_linear
XlaSparseDenseMatmulGradWithFtrlAndStaticBufferSize: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table accumulator linear num_minibatches_per_physical_sparse_core -> updated_embedding_table updated_accumulator updated_linear
XlaSparseDenseMatmulGradWithSgdAndCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table num_minibatches_per_physical_sparse_core -> updated_embedding_table
XlaSparseDenseMatmulGradWithSgdAndStaticBufferSize: row_pointers sorted_sample_ids sorted_token_ids sorted_gains activation_gradients learning_rate embedding_table num_minibatches_per_physical_sparse_core -> updated_embedding_table
XlaSparseDenseMatmulWithCsrInput: row_pointers sorted_sample_ids sorted_token_ids sorted_gains embedding_table num_minibatches_per_physical_sparse_core -> activations
XlaSparseDenseMatmulWithStaticBufferSize: row_pointers sorted_sample_ids sorted_token_ids sorted_gains embedding_table num_minibatches_per_physical_sparse_core -> activations
XlaSparseGradientsStack: unstacked_gradients*num_tables -> stacked_gradients
XlaSplitND: input -> outputs*N
XlaSpmdFullToShardShape: input -> output
XlaSpmdShardToFullShape: input -> output
XlaSvd: a -> s u v
XlaVariadicReduce: input*N init_value*N -> output*N
XlaVariadicReduceV2: inputs*[T] init_values*[T] -> outputs*[T]
XlaVariadicSort: inputs*[T] dimension -> outputs*[T]
XlaWhile: input*[T] -> output*[T]
Xlog1py: x y -> z
Xlogy: x y -> z
ZerosLike: x -> y
Zeta: x q -> z
ZipDataset: input_datasets*N -> handle
_Arg: -> output
_ArrayToList: input*N -> output*[out_types]
_ConfigureDistributedTPU: inputs*N -> output
_CopyFromGpuToHost: input -> output
_CopyFromHostToGpu: input -> output
_DeviceArg: -> output
_DeviceRetval: input ->
_DisconnectHostFromDistributedTPUSystem: -> number_of_tpu_chips
_EagerConst: input -> output
_FusedBatchNormEx: x scale offset mean variance side_input*num_side_inputs=0 -> y batch_mean batch_variance reserve_space_1 reserve_space_2 reserve_space_3
_FusedBatchNormGradEx: y_backprop x scale reserve_space_1 reserve_space_2 reserve_space_3 offset y -> x_backprop scale_backprop offset_backprop reserve_space_4 reserve_space_5 side_input_backprop*num_side_inputs=0
_FusedConv2D: input filter args*[TArgs] host_args*num_host_args=0 -> output
_FusedConv3D: input filter args*num_args -> output
_FusedDepthwiseConv2dNative: input filter args*num_args -> output
_FusedMatMul: a b args*num_args -> product
_FusedQuantizedConv2D: device_inputs*[Tdevice_inputs]=0 host_inputs*[Thost_inputs] -> device_outputs*[Tdevice_outputs]=0 host_outputs*[Thost_outputs]
_FusedQuantizedDepthwiseConv2D: device_inputs*[Tdevice_inputs]=0 host_inputs*[Thost_inputs] -> device_outputs*[Tdevice_outputs]=0 host_outputs*[Thost_outputs]
_HostCast: x -> y
_HostRecv: -> tensor
_HostSend: tensor ->
_If: cond input*[Tin] -> output*[Tout]
_InitializeHostForDistributedTPU: input -> tpu_ids
_ListToArray: input*[Tin] -> output*N
_MklAvgPool: value mkl_input -> output mkl_output
_MklAvgPool3D: value mkl_input -> output mkl_output
_MklAvgPool3DGrad: orig_input_shape grad mkl_orig_input mkl_grad -> output mkl_output
_MklAvgPoolGrad: orig_input_shape grad mkl_orig_input mkl_grad -> output mkl_output
_MklBatchMatMul: x y -> output
_MklBatchMatMulV2: x y -> output
_MklConcat: concat_dim values*N mkl_concat_dim mkl_values*N -> output mkl_output
_MklConcatV2: values*N axis mkl_values*N mkl_axis -> output mkl_output
_MklConjugateTranspose: x perm -> y
_MklConv2D: input filter mkl_input mkl_filter -> output filter_output mkl_output mkl_filter_output
_MklConv2DBackpropFilter: input filter_sizes out_backprop mkl_input mkl_filter_size mkl_out_backprop -> output mkl_output
_MklConv2DBackpropFilterWithBias: input filter_sizes out_backprop mkl_input mkl_filter_size mkl_out_backprop -> output bias_grad mkl_output mkl_bias_grad
_MklConv2DBackpropInput: input_sizes filter out_backprop mkl_input_sizes mkl_filter mkl_out_backprop -> output mkl_output
_MklConv2DWithBias: input filter bias mkl_input mkl_filter mkl_bias -> output filter_output mkl_output mkl_filter_output
_MklConv3D: input filter mkl_input mkl_filter -> output filter_output mkl_output mkl_filter_output
_MklConv3DBackpropFilterV2: input filter_sizes out_backprop mkl_input mkl_filter_size mkl_out_backprop -> output mkl_output
_MklConv3DBackpropInputV2: input_sizes filter out_backprop mkl_input_sizes mkl_filter mkl_out_backprop -> output mkl_output
_MklDepthwiseConv2dNative: input filter mkl_input mkl_filter -> output filter_output mkl_output mkl_filter_output
_MklDepthwiseConv2dNativeBackpropFilter: input filter_sizes out_backprop mkl_input mkl_filter mkl_out_backprop -> output mkl_output
_MklDepthwiseConv2dNativeBackpropInput: input_sizes filter out_backprop mkl_input mkl_filter mkl_out_backprop -> output mkl_output
_MklDequantize: input min_range max_range -> output
_MklEinsum: inputs*N -> output
_MklElu: features mkl_features -> activations mkl_activations
_MklEluGrad: gradients features mkl_gradients mkl_features -> backprops mkl_backprops
_MklFusedBatchMatMulV2: x y args*num_args -> output
_MklFusedBatchNorm: x scale offset mean variance mkl_x mkl_scale mkl_offset mkl_mean mkl_variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2 mkl_y mkl_batch_mean mkl_batch_variance mkl_reserve_space_1 mkl_reserve_space_2
_MklFusedBatchNormEx: x scale offset mean variance side_input*num_side_inputs=0 mkl_x mkl_scale mkl_offset mkl_mean mkl_variance mkl_side_input*num_side_inputs=0 -> y batch_mean batch_variance reserve_space_1 reserve_space_2 reserve_space_3 mkl_y mkl_batch_mean mkl_batch_variance mkl_reserve_space_1 mkl_reserve_space_2 mkl_reserve_space_3
_MklFusedBatchNormGrad: y_backprop x scale reserve_space_1 reserve_space_2 mkl_y_backprop mkl_x mkl_scale mkl_reserve_space_1 mkl_reserve_space_2 -> x_backprop scale_backprop offset_backprop reserve_space_3 reserve_space_4 mkl_x_backprop mkl_scale_backprop mkl_offset_backprop mkl_reserve_space_3 mkl_reserve_space_4
_MklFusedBatchNormGradV2: y_backprop x scale reserve_space_1 reserve_space_2 mkl_y_backprop mkl_x mkl_scale mkl_reserve_space_1 mkl_reserve_space_2 -> x_backprop scale_backprop offset_backprop reserve_space_3 reserve_space_4 mkl_x_backprop mkl_scale_backprop mkl_offset_backprop mkl_reserve_space_3 mkl_reserve_space_4
_MklFusedBatchNormGradV3: y_backprop x scale reserve_space_1 reserve_space_2 reserve_space_3 mkl_y_backprop mkl_x mkl_scale mkl_reserve_space_1 mkl_reserve_space_2 mkl_reserve_space_3 -> x_backprop scale_backprop offset_backprop reserve_space_4 reserve_space_5 mkl_x_backprop mkl_scale_backprop mkl_offset_backprop mkl_reserve_space_4 mkl_reserve_space_5
_MklFusedBatchNormV2: x scale offset mean variance mkl_x mkl_scale mkl_offset mkl_mean mkl_variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2 mkl_y mkl_batch_mean mkl_batch_variance mkl_reserve_space_1 mkl_reserve_space_2
_MklFusedBatchNormV3: x scale offset mean variance mkl_x mkl_scale mkl_offset mkl_mean mkl_variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2 reserve_space_3 mkl_y mkl_batch_mean mkl_batch_variance mkl_reserve_space_1 mkl_reserve_space_2 mkl_reserve_space_3
_MklFusedConv2D: input filter args*num_args mkl_input mkl_filter mkl_args*num_args -> output filter_output mkl_output mkl_filter_output
_MklFusedDepthwiseConv2dNative: input filter args*num_args mkl_input mkl_filter mkl_args*num_args -> output filter_output mkl_output mkl_filter_output
_MklFusedInstanceNorm: x gamma beta -> y
_MklFusedMatMul: a b args*num_args mkl_a mkl_b mkl_args*num_args -> product mkl_product
_MklFusedMish: features -> activations
_MklLayerNorm: x scale offset -> y
_MklLeakyRelu: features mkl_features -> activations mkl_activations
_MklLeakyReluGrad: gradients features mkl_gradients mkl_features -> backprops mkl_backprops
_MklMatMul: a b -> product
_MklMaxPool: input mkl_input -> output workspace mkl_output mkl_workspace
_MklMaxPool3D: input mkl_input -> output workspace mkl_output mkl_workspace
_MklMaxPool3DGrad: orig_input orig_output grad workspace mkl_orig_input mkl_orig_output mkl_grad mkl_workspace -> output mkl_output
_MklMaxPoolGrad: orig_input orig_output grad workspace mkl_orig_input mkl_orig_output mkl_grad mkl_workspace -> output mkl_output
_MklNativeAvgPool: value -> output
_MklNativeAvgPool3D: value -> output
_MklNativeAvgPool3DGrad: orig_input_shape grad -> output
_MklNativeAvgPoolGrad: orig_input_shape grad -> output
_MklNativeConv2D: input filter -> output
_MklNativeConv2DBackpropFilter: input filter_sizes out_backprop -> output
_MklNativeConv2DBackpropFilterWithBias: input filter_sizes out_backprop -> output bias_grad
_MklNativeConv2DBackpropInput: input_sizes filter out_backprop -> output
_MklNativeConv2DWithBias: input filter bias -> output
_MklNativeConv3D: input filter -> output
_MklNativeConv3DBackpropFilterV2: input filter_sizes out_backprop -> output
_MklNativeConv3DBackpropInputV2: input_sizes filter out_backprop -> output
_MklNativeDepthwiseConv2dNative: input filter -> output
_MklNativeDepthwiseConv2dNativeBackpropFilter: input filter_sizes out_backprop -> output
_MklNativeDepthwiseConv2dNativeBackpropInput: input_sizes filter out_backprop -> output
_MklNativeFusedBatchNorm: x scale offset mean variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2
_MklNativeFusedBatchNormEx: x scale offset mean variance side_input*num_side_inputs=0 -> y batch_mean batch_variance reserve_space_1 reserve_space_2 reserve_space_3
_MklNativeFusedBatchNormGrad: y_backprop x scale reserve_space_1 reserve_space_2 -> x_backprop scale_backprop offset_backprop reserve_space_3 reserve_space_4
_MklNativeFusedBatchNormGradV2: y_backprop x scale reserve_space_1 reserve_space_2 -> x_backprop scale_backprop offset_backprop reserve_space_3 reserve_space_4
_MklNativeFusedBatchNormGradV3: y_backprop x scale reserve_space_1 reserve_space_2 reserve_space_3 -> x_backprop scale_backprop offset_backprop reserve_space_4 reserve_space_5
_MklNativeFusedBatchNormV2: x scale offset mean variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2
_MklNativeFusedBatchNormV3: x scale offset mean variance -> y batch_mean batch_variance reserve_space_1 reserve_space_2 reserve_space_3
_MklNativeFusedConv2D: input filter args*[TArgs] host_args*num_host_args=0 -> output
_MklNativeFusedConv3D: input filter args*num_args -> output
_MklNativeFusedDepthwiseConv2dNative: input filter args*num_args -> output
_MklNativeFusedMatMul: a b args*num_args -> product
_MklNativeMaxPool: input -> output workspace
_MklNativeMaxPool3D: input -> output workspace
_MklNativeMaxPool3DGrad: orig_input orig_output grad workspace -> output
_MklNativeMaxPoolGrad: orig_input orig_output grad workspace -> output
_MklNativePadWithConv2D: input filter paddings -> output
_MklNativePadWithFusedConv2D: input filter args*num_args paddings -> output
_MklNativeSparseMatrixMatMul: a b -> output
_MklPadWithConv2D: input filter paddings mkl_input mkl_filter mkl_paddings -> output filter_output mkl_output mkl_filter_output
_MklPadWithFusedConv2D: input filter args*num_args paddings mkl_input mkl_filter mkl_args*num_args mkl_paddings -> output filter_output mkl_output mkl_filter_output
_MklQuantizeV2: input min_range max_range -> output output_min output_max
_MklQuantizedAvgPool: input min_input max_input -> output min_output max_output
_MklQuantizedConcatV2: values*N axis input_mins*N input_maxes*N -> output output_min output_max
_MklQuantizedConv2D: input filter min_input max_input min_filter max_filter -> output min_output max_output
_MklQuantizedConv2DAndRelu: input filter min_input max_input min_filter max_filter -> output min_output max_output
_MklQuantizedConv2DAndReluAndRequantize: input filter min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
_MklQuantizedConv2DAndRequantize: input filter min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
_MklQuantizedConv2DPerChannel: input filter min_input max_input min_filter max_filter -> output min_output max_output
_MklQuantizedConv2DWithBias: input filter bias min_input max_input min_filter max_filter -> output min_output max_output
_MklQuantizedConv2DWithBiasAndRelu: input filter bias min_input max_input min_filter max_filter -> output min_output max_output
_MklQuantizedConv2DWithBiasAndReluAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
_MklQuantizedConv2DWithBiasAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
_MklQuantizedConv2DWithBiasSignedSumAndReluAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output summand min_summand max_summand -> output min_output max_output
_MklQuantizedConv2DWithBiasSumAndRelu: input filter bias min_input max_input min_filter max_filter summand -> output min_output max_output
_MklQuantizedConv2DWithBiasSumAndReluAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output summand min_summand max_summand -> output min_output max_output
_MklQuantizedDepthwiseConv2D: input filter min_input max_input min_filter max_filter -> output min_output max_output
_MklQuantizedDepthwiseConv2DWithBias: input filter bias min_input max_input min_filter max_filter -> output min_output max_output
_MklQuantizedDepthwiseConv2DWithBiasAndRelu: input filter bias min_input max_input min_filter max_filter -> output min_output max_output
_MklQuantizedDepthwiseConv2DWithBiasAndReluAndRequantize: input filter bias min_input max_input min_filter max_filter min_freezed_output max_freezed_output -> output min_output max_output
_MklQuantizedMatMulWithBias: a b bias min_a max_a min_b max_b -> out min_out max_out
_MklQuantizedMatMulWithBiasAndDequantize: a b bias min_a max_a min_b max_b min_freezed_output max_freezed_output -> out
_MklQuantizedMatMulWithBiasAndRelu: a b bias min_a max_a min_b max_b -> out min_out max_out
_MklQuantizedMatMulWithBiasAndReluAndRequantize: a b bias min_a max_a min_b max_b min_freezed_output max_freezed_output -> out min_out max_out
_MklQuantizedMatMulWithBiasAndRequantize: a b bias min_a max_a min_b max_b min_freezed_output max_freezed_output -> out min_out max_out
_MklQuantizedMaxPool: input min_input max_input -> output min_output max_output
_MklRelu: features mkl_features -> activations mkl_activations
_MklRelu6: features mkl_features -> activations mkl_activations
_MklRelu6Grad: gradients features mkl_gradients mkl_features -> backprops mkl_backprops
_MklReluGrad: gradients features mkl_gradients mkl_features -> backprops mkl_backprops
_MklSoftmax: logits -> softmax
_MklSwish: features -> activations
_MklTanh: features mkl_features -> activations mkl_activations
_MklTanhGrad: gradients features mkl_gradients mkl_features -> backprops mkl_backprops
_MklTranspose: x perm -> y
_NcclBroadcastRecv: shape -> output
_NcclBroadcastSend: input ->
_NcclReduceRecv: input -> data
_NcclReduceSend: input ->
_ParallelConcatStart: -> output
_ParallelConcatUpdate: value update -> output
_QuantizedMatMul: device_inputs*[Tdevice_inputs]=0 host_inputs*[Thost_inputs]=0 -> device_outputs*[Tdevice_outputs]=0 host_outputs*[Thost_outputs]=0
_QuantizedMaxPool3D: input min_input max_input -> output min_output max_output
_ReadVariablesOp: resources*N -> values*[dtypes]
_Recv: -> tensor
_Retval: input ->
_ScopedAllocator: -> output
_ScopedAllocatorConcat: backing inputs*N -> output
_ScopedAllocatorSplit: concat split*N -> output*N
_Send: tensor ->
_SetGlobalTPUArray: topology ->
_ShutdownDistributedTPU: ->
_SwitchN: data output_index -> outputs*num_outs
_TPUCompileMlir: dynamic_shapes*NumDynamicShapes -> compilation_status program*num_computations
_TPUReplicate: inputs*[Tinputs] broadcast_inputs*[Tbroadcast_inputs] variables*NumVariables guaranteed_constants*[Tguaranteed_constants] -> outputs*[output_types]
_TensorToHashBucketFast: input -> output
_UnaryOpsComposition: x -> y
_VarHandlesOp: -> resources*N
_WaitForDistributedTPU: inputs*N -> topology
_While: input*[T] -> output*[T]
_XlaAotOnlyVarHandleOp: -> resource
_XlaCompile: constants*[Tconstants] args*[Targs] resources*Nresources -> key compilation_successful
_XlaCompileMlirPlaceholderProgramKey: -> program
_XlaHostComputeMlir: inputs*[Tinputs] -> outputs*[Toutputs]
_XlaMerge: partitioned_call xla_run -> output
_XlaRecvAtHost: dynamic_key -> outputs*[Toutputs]
_XlaRecvAtHostV2: dynamic_key device_ordinal -> outputs*[Toutputs]
_XlaRun: args*[Targs] key -> results*[Tresults]
_XlaSendFromHost: inputs*[Tinputs] dynamic_key ->
_XlaSendFromHostV2: inputs*[Tinputs] dynamic_key device_ordinal ->
__MklDummyConv2DBackpropFilterWithBias: input filter_sizes out_backprop -> output bias_grad
__MklDummyConv2DWithBias: input filter bias -> output
__MklDummyPadWithConv2D: input filter paddings -> output
__MklDummyPadWithFusedConv2D: input filter args*num_args paddings -> output filter_output mkl_output mkl_filter_output
"""
